using System.IO.Compression;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rectify.Data;
using Rectify.Reports;

namespace Rectify.Web.Operations;

/// <summary>
/// <c>backup FILE</c>: a consistent copy of a running office as one .zip — <c>rectify.db</c> (SQLite's online backup
/// of the live file, taken from one read snapshot while writers go on; WAL lets them) and <c>evidence/</c>. The
/// database is copied first: evidence is stored before the report that references it commits and is never changed
/// afterwards, so every file the copied database references is already on disk when the folder is copied.
/// Restoring is extracting the archive into an empty data folder (README, "Backup and restore").
/// </summary>
public static class Backup
{
    public const string DatabaseEntry = "rectify.db";
    public const string EvidenceFolder = "evidence/";

    public static async Task<int> RunAsync(IServiceProvider services, string file, TextWriter output, CancellationToken ct = default)
    {
        var database = services.GetRequiredService<DatabaseOptions>();
        if (database.Provider == DatabaseProvider.Postgres)
        {
            output.WriteLine("Not backed up: the database is PostgreSQL; back it up with pg_dump (the evidence folder with any file copy).");
            return 2;
        }
        string source;
        await using (var scope = services.CreateAsyncScope())
            source = scope.ServiceProvider.GetRequiredService<RectifyDb>().Database.GetConnectionString()!;
        if (!File.Exists(new SqliteConnectionStringBuilder(source).DataSource))
        {
            output.WriteLine($"Not backed up: no database at {new SqliteConnectionStringBuilder(source).DataSource}.");
            return 1;
        }
        var target = Path.GetFullPath(file);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var work = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var copy = Path.Combine(work, DatabaseEntry);
            var started = DateTimeOffset.UtcNow;
            CopyDatabase(source, copy);
            var evidence = services.GetRequiredService<IEvidenceStorage>() is FolderEvidenceStorage folder ? folder.Root : null;
            var files = await WriteArchiveAsync(copy, evidence, target + ".partial", ct);
            File.Move(target + ".partial", target, overwrite: true);
            output.WriteLine($"Backed up to {target}: database ({new FileInfo(copy).Length:N0} bytes, snapshot at {started:O}) and {files} evidence files.");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(work, recursive: true);
            File.Delete(target + ".partial");
        }
    }

    /// <summary>The online backup API, then an integrity check of the copy: a backup that would not open is no backup.</summary>
    private static void CopyDatabase(string sourceConnectionString, string copy)
    {
        var sourceBuilder = new SqliteConnectionStringBuilder(sourceConnectionString) { Pooling = false };
        using var source = new SqliteConnection(sourceBuilder.ToString());
        using var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString());
        source.Open();
        destination.Open();
        source.BackupDatabase(destination);
        using var command = destination.CreateCommand();
        // The copy is a plain rollback-journal file, so the archive needs no -wal beside it.
        command.CommandText = "PRAGMA journal_mode=DELETE; PRAGMA integrity_check;";
        using var reader = command.ExecuteReader();
        reader.NextResult();
        var result = reader.Read() ? reader.GetString(0) : "no answer";
        if (result != "ok")
            throw new InvalidOperationException($"The copied database fails its integrity check: {result}");
    }

    private static async Task<int> WriteArchiveAsync(string database, string? evidenceRoot, string archive, CancellationToken ct)
    {
        var files = 0;
        await using var stream = new FileStream(archive, FileMode.Create, FileAccess.Write);
        await using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        await zip.CreateEntryFromFileAsync(database, DatabaseEntry, CompressionLevel.Fastest, ct);
        if (evidenceRoot is null || !Directory.Exists(evidenceRoot))
            return 0;
        foreach (var path in Directory.EnumerateFiles(evidenceRoot, "*", SearchOption.AllDirectories))
        {
            // A .tmp is an upload still being written (or left by a kill): no report references it.
            if (path.EndsWith(".tmp", StringComparison.Ordinal))
                continue;
            var name = EvidenceFolder + Path.GetRelativePath(evidenceRoot, path).Replace('\\', '/');
            try
            {
                await zip.CreateEntryFromFileAsync(path, name, CompressionLevel.NoCompression, ct);
                files++;
            }
            catch (FileNotFoundException)
            {
                // Swept as an orphan meanwhile: nothing references it.
            }
        }
        return files;
    }
}
