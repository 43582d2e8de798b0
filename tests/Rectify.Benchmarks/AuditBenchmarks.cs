using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Testing;

namespace Rectify.Benchmarks;

/// <summary>
/// "audit" mode: the check of a whole audit chain (<see cref="AuditChain.VerifyAsync"/>) over N stored entries
/// (1,000,000 by default), next to two floors measured in the same run on the same rows: reading every column of every
/// entry in chain order (what any check must read), and SHA-256 over the same number of bytes in one call per entry
/// (what any check must hash). On a SQLite file, or with --postgres=SERVER on a new database there (dropped at the end).
/// </summary>
public static class AuditBenchmarks
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Skip(1).FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 1_000_000;
        if (args.FirstOrDefault(a => a.StartsWith("--postgres=", StringComparison.Ordinal)) is { } postgres)
            Environment.SetEnvironmentVariable("RECTIFY_TEST_POSTGRES", postgres["--postgres=".Length..]);
        await using var db = await TestDatabase.CreateAsync();
        Console.WriteLine($"{(db.IsPostgres ? "PostgreSQL" : "SQLite")}: storing {count:N0} chained audit entries …");
        var fill = Stopwatch.StartNew();
        var (bytes, lengths) = await db.WithDbAsync(ctx => FillAsync(ctx, count, db.IsPostgres));
        Console.WriteLine($"stored in {fill.Elapsed.TotalSeconds:F1} s; canonical content {bytes / 1e6:F0} MB, {bytes / (double)count:F0} bytes per entry on average");

        // Each measured twice, the second time counted: the first warms the JIT and the database's page cache.
        TimeSpan read = default, hash = default, verify = default;
        AuditChainReport report = null!;
        for (var round = 0; round < 2; round++)
        {
            read = await TimeAsync(() => db.WithDbAsync(ReadAllAsync));
            hash = await TimeAsync(() => Task.FromResult(HashSameBytes(lengths)));
            verify = await TimeAsync(async () => report = await db.WithDbAsync(ctx => AuditChain.VerifyAsync(ctx, new Rectify.Notices.NoticeAuditAnchors())));
        }
        if (!report.IsIntact || report.Entries != count)
            throw new InvalidOperationException($"the stored chain did not verify: {report.FirstBreak?.MessageEn}");

        Console.WriteLine();
        Console.WriteLine($"{count:N0} entries                      seconds   entries/s   ratio");
        Console.WriteLine($"read every column (floor 1)       {read.TotalSeconds,7:F2} {count / read.TotalSeconds,11:N0}   1.00");
        Console.WriteLine($"SHA-256 of the same bytes (floor 2) {hash.TotalSeconds,5:F2} {count / hash.TotalSeconds,11:N0}   {hash / read:F2}");
        Console.WriteLine($"audit verify (whole chain)        {verify.TotalSeconds,7:F2} {count / verify.TotalSeconds,11:N0}   {verify / read:F2} of read, {verify / (read + hash):F2} of read + hash");
        return 0;
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> work)
    {
        var watch = Stopwatch.StartNew();
        await work();
        return watch.Elapsed;
    }

    /// <summary>Entries shaped like a finding's history (who submitted, the changed fields as JSON), chained as the app chains them.</summary>
    private static async Task<(long Bytes, int[] Lengths)> FillAsync(RectifyDb db, int count, bool postgres)
    {
        var content = new CanonicalContent();
        var lengths = new int[count];
        long bytes = 0;
        var start = new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);
        string[] actions = ["finding.submitted", "finding.assigned", "report.added", "finding.accepted", "finding.reminded"];
        var previous = AuditChain.Genesis;
        IEnumerable<AuditEvent> Entries()
        {
            for (var i = 0; i < count; i++)
            {
                var e = new AuditEvent
                {
                    Sequence = i + 1,
                    At = start.AddSeconds(i),
                    ActorId = $"liaison-{i % 60}",
                    ActorName = $"联络人{i % 60}",
                    EntityType = "Finding",
                    EntityId = (i / 8).ToString(CultureInfo.InvariantCulture),
                    Action = actions[i % actions.Length],
                    Before = $$"""{"Status":"Assigned","Version":{{i % 7}},"UpdatedAt":"{{start.AddSeconds(i - 60):O}}"}""",
                    After = $$"""{"Status":"Submitted","Version":{{i % 7 + 1}},"UpdatedAt":"{{start.AddSeconds(i):O}}","Measures":"已在“招生计划”栏目公开2026年度招生计划（教基〔2026〕{{i % 50}}号）"}""",
                    FindingId = i / 8,
                    PreviousHash = previous,
                };
                lengths[i] = content.Of(e).Length;
                bytes += lengths[i];
                e.Hash = previous = content.HashOf(e);
                yield return e;
            }
        }

        await db.Database.OpenConnectionAsync();
        if (postgres)
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var import = await connection.BeginBinaryImportAsync(
                "COPY \"AuditEvent\" (\"Sequence\", \"At\", \"ActorId\", \"ActorName\", \"EntityType\", \"EntityId\", \"Action\", \"Before\", \"After\", \"FindingId\", \"PreviousHash\", \"Hash\") FROM STDIN (FORMAT BINARY)");
            foreach (var e in Entries())
            {
                await import.StartRowAsync();
                await import.WriteAsync(e.Sequence, NpgsqlDbType.Bigint);
                await import.WriteAsync(e.At, NpgsqlDbType.TimestampTz);
                foreach (var text in new[] { e.ActorId, e.ActorName, e.EntityType, e.EntityId, e.Action, e.Before!, e.After! })
                    await import.WriteAsync(text, NpgsqlDbType.Text);
                await import.WriteAsync(e.FindingId!.Value, NpgsqlDbType.Integer);
                await import.WriteAsync(e.PreviousHash!, NpgsqlDbType.Varchar);
                await import.WriteAsync(e.Hash!, NpgsqlDbType.Varchar);
            }
            await import.CompleteAsync();
        }
        else
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await using var insert = db.Database.GetDbConnection().CreateCommand();
            insert.Transaction = transaction.GetDbTransaction();
            insert.CommandText = "INSERT INTO \"AuditEvent\" (\"Sequence\", \"At\", \"ActorId\", \"ActorName\", \"EntityType\", \"EntityId\", \"Action\", \"Before\", \"After\", \"FindingId\", \"PreviousHash\", \"Hash\") " +
                                 "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11)";
            var parameters = Enumerable.Range(0, 12).Select(k =>
            {
                var p = insert.CreateParameter();
                p.ParameterName = $"@p{k}";
                insert.Parameters.Add(p);
                return p;
            }).ToArray();
            foreach (var e in Entries())
            {
                object?[] values = [e.Sequence, e.At.ToUnixTimeMilliseconds(), e.ActorId, e.ActorName, e.EntityType, e.EntityId, e.Action, e.Before, e.After, e.FindingId, e.PreviousHash, e.Hash];
                for (var k = 0; k < values.Length; k++)
                    parameters[k].Value = values[k] ?? DBNull.Value;
                await insert.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
        }
        return (bytes, lengths);
    }

    /// <summary>Floor 1: every column of every entry, in chain order, each value read once by its type (texts as strings).</summary>
    private static async Task<long> ReadAllAsync(RectifyDb db)
    {
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT \"Id\", \"Sequence\", \"At\", \"ActorId\", \"ActorName\", \"EntityType\", \"EntityId\", \"Action\", \"Before\", \"After\", \"FindingId\", \"PreviousHash\", \"Hash\" FROM \"AuditEvent\" ORDER BY \"Sequence\"";
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetFieldType).ToArray();
        long touched = 0;
        while (await reader.ReadAsync())
        {
            for (var k = 0; k < types.Length; k++)
            {
                if (reader.IsDBNull(k))
                    continue;
                touched += types[k] == typeof(string) ? reader.GetString(k).Length
                    : types[k] == typeof(long) ? reader.GetInt64(k)
                    : types[k] == typeof(int) ? reader.GetInt32(k)
                    : reader.GetFieldValue<DateTimeOffset>(k).Millisecond;
            }
        }
        return touched;
    }

    /// <summary>Floor 2: SHA-256 over as many bytes as the entries' canonical content, one call per entry.</summary>
    private static int HashSameBytes(int[] lengths)
    {
        var buffer = new byte[lengths.Max()];
        Random.Shared.NextBytes(buffer);
        Span<byte> hash = stackalloc byte[32];
        var sum = 0;
        foreach (var length in lengths)
        {
            SHA256.HashData(buffer.AsSpan(0, length), hash);
            sum += hash[0];
        }
        return sum;
    }
}
