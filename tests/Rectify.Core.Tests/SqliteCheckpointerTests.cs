using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Rectify.Testing;
using Rectify.Units;

namespace Rectify.Core.Tests;

/// <summary>The WAL goes back into the database file beside the writers, never inside one writer's commit.</summary>
public sealed class SqliteCheckpointerTests
{
    // The WAL is SQLite's matter: this runs on a file in both passes.
    private static readonly Dictionary<string, string?> OnSqlite = new() { ["Database:Provider"] = "Sqlite", ["Database:ConnectionString"] = "" };

    [Fact]
    public async Task Saves_leave_the_checkpoint_to_the_checkpointer_which_copies_the_WAL_into_the_database_file()
    {
        await using var database = await TestDatabase.CreateAsync(settings: OnSqlite);
        string connectionString;
        await using (var scope = database.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            connectionString = db.Database.GetConnectionString()!;
            for (var i = 0; i < 20; i++)
            {
                db.Add(new Unit { Name = $"检查点单位{i}", Leader = new Contact { Name = "负责人", Email = $"l{i}@example.gov.cn" }, Liaison = new Contact { Name = "联络人", Email = $"c{i}@example.gov.cn" } });
                await db.SaveChangesAsync();
            }
            // The context's own connection does not checkpoint when a commit crosses SQLite's usual threshold.
            await db.Database.OpenConnectionAsync();
            try
            {
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = "PRAGMA wal_autocheckpoint";
                Assert.Equal((long)SqliteCheckpointer.BackstopPages, await command.ExecuteScalarAsync());
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }

        // Twenty single-row commits are far below SQLite's own threshold (1,000 pages): only the checkpointer moves them.
        // The file is copied only while no checkpoint writes to it (a copy taken meanwhile would be torn).
        await IdleAsync(SqliteWriterTurn.Of(connectionString).Checkpointer!);
        Assert.Equal(20, UnitsInDatabaseFileAlone(new SqliteConnectionStringBuilder(connectionString).DataSource, database.Directory));
    }

    [Fact]
    public async Task Under_steady_writes_the_WAL_starts_again_from_its_beginning_well_before_the_backstop()
    {
        await using var database = await TestDatabase.CreateAsync(settings: OnSqlite);
        await using var scope = database.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        var checkpointer = SqliteWriterTurn.Of(db.Database.GetConnectionString()!).Checkpointer!;
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE Filler (Data BLOB)");
        // 12 MB (3,000 pages) in steps of 200 pages, each followed by the checkpoint it sets off: short of the
        // backstop, so only the checkpointer can let the WAL start again from its beginning instead of growing.
        for (var step = 0; step < 15; step++)
        {
            await FillAsync(db, transactions: 20);
            await IdleAsync(checkpointer);
        }
        var wal = WalBytes(db);
        Assert.True(wal < 15 * 20 * 40_000 / 2, $"WAL {wal:N0} bytes after 12 MB written");
    }

    [Fact]
    public async Task Writers_that_outrun_the_checkpointer_checkpoint_themselves_past_the_backstop()
    {
        await using var database = await TestDatabase.CreateAsync(settings: OnSqlite);
        await using var scope = database.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE Filler (Data BLOB)");
        // 48 MB, one transaction after the other, as fast as the disk takes them.
        await FillAsync(db, transactions: 1200);

        // However far behind the checkpointer fell, the WAL never held much more than the backstop.
        var wal = WalBytes(db);
        Assert.True(wal <= SqliteCheckpointer.BackstopPages * 4096L + 2 * 1024 * 1024, $"WAL {wal:N0} bytes");
    }

    /// <summary>Transactions of ten pages each (40 KB), each through the writer turn.</summary>
    private static async Task FillAsync(RectifyDb db, int transactions)
    {
        var page = new byte[40_000];
        for (var i = 0; i < transactions; i++)
        {
            await using var transaction = await db.BeginWriteTransactionAsync();
            await db.Database.ExecuteSqlRawAsync("INSERT INTO Filler (Data) VALUES ({0})", page);
            await transaction.CommitAsync();
        }
    }

    private static async Task IdleAsync(SqliteCheckpointer checkpointer)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (checkpointer.Busy && DateTime.UtcNow < deadline)
            await Task.Delay(SqliteCheckpointer.Gathering);
        Assert.False(checkpointer.Busy, "the checkpointer was still busy after 30 s");
    }

    /// <summary>The WAL file's size; 0 when the last connection to close removed it (when another test clears the pools).</summary>
    private static long WalBytes(RectifyDb db) =>
        new FileInfo(new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource + "-wal") is { Exists: true } wal ? wal.Length : 0;

    /// <summary>The test's units a copy of the database file holds without its WAL: what checkpoints have written to it.</summary>
    private static long UnitsInDatabaseFileAlone(string file, string directory)
    {
        var copy = Path.Combine(directory, $"alone-{Guid.NewGuid():N}.db");
        File.Copy(file, copy);
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            // Before the first checkpoint even the schema is only in the WAL.
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'Unit'";
            if ((long)command.ExecuteScalar()! == 0)
                return 0;
            command.CommandText = "SELECT count(*) FROM Unit WHERE Name LIKE '检查点单位%'";
            return (long)command.ExecuteScalar()!;
        }
        finally
        {
            File.Delete(copy);
        }
    }
}
