using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Testing;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>
/// Reports that arrive together on SQLite share one commit (<see cref="SqliteGroupCommit"/>), and each one is still
/// answered on its own: after the commit that holds it, or with its own error.
/// </summary>
public class GroupCommitTests
{
    // Group commit is SQLite's (one writer, one WAL sync per commit): this runs on a file in both passes.
    private static readonly Dictionary<string, string?> OnSqlite = new() { ["Database:Provider"] = "Sqlite", ["Database:ConnectionString"] = "" };

    [Fact]
    public async Task Reports_arriving_while_the_writer_is_busy_commit_together_each_once()
    {
        await using var database = await CreateAsync(OnSqlite);
        var (units, findingIds) = await IssuedAsync(database);
        var (turn, group) = Committers(database);

        var (hold, submits) = await WhileTheWriterIsBusyAsync(database, turn, group, units.Count,
            () => units.Select((u, i) => Submit(database, u.Id, findingIds[i])).ToList());
        var before = group.Committed;
        await hold.DisposeAsync();
        var reports = await Task.WhenAll(submits);

        Assert.Equal(1, group.Committed - before);
        Assert.All(reports, r => Assert.Equal(ReviewDecision.Pending, r.Decision));
        await database.WithDbAsync(async db =>
        {
            var stored = await db.Set<RectificationReport>().Where(r => findingIds.Contains(r.FindingId)).GroupBy(r => r.FindingId).Select(g => g.Count()).ToListAsync();
            Assert.Equal(Enumerable.Repeat(1, units.Count), stored);
            Assert.All(await db.Set<Finding>().Where(f => findingIds.Contains(f.Id)).Select(f => f.Status).ToListAsync(), s => Assert.Equal(FindingStatus.Submitted, s));
            // Each workflow took the report: it now waits for the review.
            Assert.Equal(units.Count, await db.Set<WorkflowBookmark>().CountAsync(b => findingIds.Contains(b.FindingId ?? 0) && b.Name == nameof(ReportReviewed)));
            var chain = await AuditChain.VerifyAsync(db);
            Assert.Equal(0, chain.BrokenEntries);
            return 0;
        });
    }

    [Fact]
    public async Task Two_reports_of_one_finding_in_one_group_behave_as_if_sequential_and_the_others_commit()
    {
        await using var database = await CreateAsync(OnSqlite);
        var (units, findingIds) = await IssuedAsync(database);
        var (turn, group) = Committers(database);

        // Both reports of the first unit load the finding before either is written: the second one's save conflicts
        // on the finding's version inside the group, is rolled back alone, retried, and then refused on the rule.
        var (hold, submits) = await WhileTheWriterIsBusyAsync(database, turn, group, units.Count + 1,
            () => units.Select((u, i) => Submit(database, u.Id, findingIds[i])).Append(Submit(database, units[0].Id, findingIds[0])).ToList());
        await hold.DisposeAsync();
        var outcomes = await Task.WhenAll(submits.Select(async s =>
        {
            try
            {
                return (await s).Decision.ToString();
            }
            catch (RectifyException e)
            {
                return e.Code;
            }
        }));

        Assert.Equal(units.Count, outcomes.Count(o => o == nameof(ReviewDecision.Pending)));
        Assert.Equal("finding.illegal_transition", Assert.Single(outcomes, o => o != nameof(ReviewDecision.Pending)));
        await database.WithDbAsync(async db =>
        {
            Assert.Equal(units.Count, await db.Set<RectificationReport>().CountAsync(r => findingIds.Contains(r.FindingId)));
            Assert.Equal(1, await db.Set<WorkflowBookmark>().CountAsync(b => b.FindingId == findingIds[0] && b.Name == nameof(ReportReviewed)));
            Assert.Equal(0, (await AuditChain.VerifyAsync(db)).BrokenEntries);
            return 0;
        });
    }

    [Fact]
    public async Task The_reports_of_a_group_run_the_statements_its_first_report_prepared()
    {
        await using var database = await CreateAsync(OnSqlite);
        var (units, findingIds) = await IssuedAsync(database);
        var (turn, group) = Committers(database);

        var submits = new List<Task<RectificationReport>>();
        Task<int> afterFirst, afterAll;
        await using (await HoldTurnAsync(turn))
        {
            submits.Add(Submit(database, units[0].Id, findingIds[0]));
            await QueuedAsync(group, 1, submits);
            afterFirst = group.WriteAsync((connection, _) => Task.FromResult(PreparedStatementBytes(connection)));
            submits.AddRange(units.Skip(1).Select((u, i) => Submit(database, u.Id, findingIds[i + 1])));
            await QueuedAsync(group, units.Count + 1, submits);
            afterAll = group.WriteAsync((connection, _) => Task.FromResult(PreparedStatementBytes(connection)));
        }
        await Task.WhenAll(submits);

        Assert.True(units.Count >= 3);
        // The first report's rows in bulk left their statements prepared; the others' rows ran those again and
        // prepared none of their own.
        Assert.True(await afterFirst > 0);
        Assert.Equal(await afterFirst, await afterAll);
        await database.WithDbAsync(async db =>
        {
            Assert.Equal(units.Count, await db.Set<WorkflowBookmark>().CountAsync(b => findingIds.Contains(b.FindingId ?? 0) && b.Name == nameof(ReportReviewed)));
            Assert.Equal(0, (await AuditChain.VerifyAsync(db)).BrokenEntries);
            return 0;
        });
    }

    [Fact]
    public async Task A_member_that_fails_is_rolled_back_alone_and_gets_its_own_error()
    {
        await using var database = await CreateAsync(OnSqlite);
        var (turn, group) = await ProbeCommittersAsync(database);

        Task<int>[] members;
        await using (await HoldTurnAsync(turn))
        {
            members = [Insert(group, 1, "甲"), Insert(group, 2, null), Insert(group, 3, "丙")];
            Assert.Equal(3, group.Queued);
        }
        Assert.Equal(1, await members[0]);
        Assert.Equal(19, Assert.IsType<SqliteException>(await Record.ExceptionAsync(() => members[1])).SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal(1, await members[2]);
        Assert.Equal("1,3", await Raw(database, "SELECT group_concat(id) FROM (SELECT id FROM group_probe ORDER BY id)"));
    }

    [Fact]
    public async Task A_group_that_cannot_commit_answers_none_of_its_members_and_keeps_none()
    {
        await using var database = await CreateAsync(OnSqlite);
        var (turn, group) = await ProbeCommittersAsync(database);

        Task<int>[] members;
        await using (await HoldTurnAsync(turn))
        {
            // The last member's connection goes away mid-group (as a process does when it is killed): the group is
            // never committed, so no member may be told it was.
            members = [Insert(group, 1, "甲"), Insert(group, 2, "乙"), group.WriteAsync((connection, _) =>
            {
                connection.Close();
                return Task.FromResult(0);
            })];
        }
        foreach (var member in members)
            Assert.NotNull(await Record.ExceptionAsync(() => member));
        Assert.Equal("0", await Raw(database, "SELECT count(*) FROM group_probe"));

        // The committer goes on with the next ones.
        Assert.Equal(1, await Insert(group, 4, "丁"));
        Assert.Equal("4", await Raw(database, "SELECT group_concat(id) FROM group_probe"));
    }

    [Fact]
    public async Task Disposing_the_app_while_reports_are_written_loses_none_that_was_acknowledged()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rectify-group-" + Guid.NewGuid().ToString("N"));
        var database = await CreateAsync(OnSqlite, directory);
        var (units, findingIds) = await IssuedAsync(database);
        var (turn, group) = Committers(database);
        var table = await database.WithDbAsync(db => Task.FromResult(db.Model.FindEntityType(typeof(RectificationReport))!.GetTableName()!));
        var (hold, submits) = await WhileTheWriterIsBusyAsync(database, turn, group, units.Count,
            () => units.Select((u, i) => Submit(database, u.Id, findingIds[i])).ToList());

        // The app goes away while the group is written: its services are disposed under the running saves.
        await hold.DisposeAsync();
        await database.Services.DisposeAsync();
        var acknowledged = new List<int>();
        for (var i = 0; i < submits.Count; i++)
        {
            if (await Record.ExceptionAsync(() => submits[i]) is null)
                acknowledged.Add(findingIds[i]);
        }

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "rectify.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT FindingId FROM \"{table}\"";
        var stored = new List<int>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                stored.Add(reader.GetInt32(0));
        }
        Assert.Subset(stored.ToHashSet(), acknowledged.ToHashSet()); // every acknowledged report is stored
        await connection.CloseAsync();
        await database.DisposeAsync();
    }

    private static async Task<(List<Units.Unit> Units, List<int> FindingIds)> IssuedAsync(TestDatabase database)
    {
        var (units, category, inspection) = await SeedAsync(database);
        var ids = await StartAsync(database, _ => units.Select(u => Sample.Finding(u, category, inspection, new DateOnly(2026, 3, 13))));
        return (units, ids);
    }

    private static (SqliteWriterTurn Turn, SqliteGroupCommit Group) Committers(TestDatabase database)
    {
        using var scope = database.Scope();
        var connectionString = scope.ServiceProvider.GetRequiredService<RectifyDb>().Database.GetConnectionString()!;
        var group = SqliteGroupCommit.Of(connectionString);
        // No time bound here (this file is the test's alone): the test decides what arrives together, not the machine's speed.
        group.MaxGroupTime = TimeSpan.FromMinutes(5);
        return (SqliteWriterTurn.Of(connectionString), group);
    }

    /// <summary>The committers, and a table of the test's own for members written by hand.</summary>
    private static async Task<(SqliteWriterTurn Turn, SqliteGroupCommit Group)> ProbeCommittersAsync(TestDatabase database)
    {
        await Raw(database, "CREATE TABLE group_probe (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        return Committers(database);
    }

    /// <summary>
    /// Takes the writer turn (as a long write does), starts <paramref name="start"/>'s saves and waits until
    /// <paramref name="count"/> of them are queued for the group; disposing the result gives the turn back.
    /// </summary>
    private static async Task<(IAsyncDisposable Hold, List<Task<RectificationReport>> Submits)> WhileTheWriterIsBusyAsync(
        TestDatabase database, SqliteWriterTurn turn, SqliteGroupCommit group, int count, Func<List<Task<RectificationReport>>> start)
    {
        var hold = await HoldTurnAsync(turn);
        var submits = start();
        // The group's loop waits at the turn and takes none before it has it: all of them stay queued.
        await QueuedAsync(group, count, submits);
        Assert.DoesNotContain(submits, s => s.IsCompleted);
        return (hold, submits);
    }

    /// <summary>Waits until <paramref name="count"/> saves are queued for the group, or one of <paramref name="submits"/> ended early.</summary>
    private static async Task QueuedAsync(SqliteGroupCommit group, int count, IEnumerable<Task> submits)
    {
        while (group.Queued < count && !submits.Any(s => s.IsCompleted))
            await Task.Delay(20);
    }

    /// <summary>The memory SQLite holds for the statements prepared on the connection and not yet finalized.</summary>
    private static int PreparedStatementBytes(SqliteConnection connection)
    {
        SQLitePCL.raw.sqlite3_db_status(connection.Handle, SQLitePCL.raw.SQLITE_DBSTATUS_STMT_USED, out var bytes, out _, 0);
        return bytes;
    }

    private static async Task<IAsyncDisposable> HoldTurnAsync(SqliteWriterTurn turn)
    {
        await turn.WaitAsync(longJob: false, CancellationToken.None);
        return new TurnHold(turn);
    }

    private sealed class TurnHold(SqliteWriterTurn turn) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            turn.Release();
            return ValueTask.CompletedTask;
        }
    }

    private static Task<RectificationReport> Submit(TestDatabase database, int unitId, int findingId)
    {
        var liaison = Sample.LiaisonOf(unitId);
        return Task.Run(() => As(database, liaison, sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(findingId, Report(), liaison)));
    }

    private static Task<int> Insert(SqliteGroupCommit group, int id, string? value) =>
        group.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO group_probe (id, v) VALUES ($id, $v)";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$v", (object?)value ?? DBNull.Value);
            return await command.ExecuteNonQueryAsync();
        });

    private static Task<string?> Raw(TestDatabase database, string sql) =>
        database.WithDbAsync(async db =>
        {
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            }
            finally
            {
                await connection.CloseAsync();
            }
        });
}
