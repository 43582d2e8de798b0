using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Testing;
using Rectify.Web.Audit;

namespace Rectify.Web.Tests;

/// <summary>
/// <c>dotnet Rectify.Web.dll -- audit verify</c> on the database of the pass (SQLite file or PostgreSQL): exit 0 on an
/// intact chain; an entry changed, deleted or inserted by SQL makes it exit 2 naming that entry.
/// </summary>
public sealed class AuditCommandTests
{
    [Fact]
    public async Task Audit_verify_names_the_entry_changed_deleted_or_inserted_by_sql()
    {
        await using var data = await TestDatabase.CreateAsync();
        for (var i = 1; i <= 5; i++)
        {
            await using var scope = data.Scope(Sample.Supervisor);
            var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            db.Add(Sample.Unit($"单位{i}"));
            await db.SaveChangesAsync();
        }
        var entries = await data.WithDbAsync(db => db.Set<AuditEvent>().AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());
        Task<int> Sql(string sql, params object[] values) => data.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql, values));

        var (code, output) = await VerifyAsync(data);
        Assert.True(code == 0, output);
        Assert.Contains("Checked 5 audit entries", output);
        Assert.Contains($"Head: sequence 5, SHA-256 {entries[4].Hash}", output);
        Assert.Contains("Audit chain intact.", output);

        await Sql("UPDATE \"AuditEvent\" SET \"After\" = REPLACE(\"After\", '单位2', '单位二') WHERE \"Id\" = {0}", entries[1].Id);
        (code, output) = await VerifyAsync(data);
        Assert.Equal(AuditCommand.Broken, code);
        Assert.Contains($"BROKEN: Entry {entries[1].Id} (sequence 2): its content no longer matches its hash", output);

        await Sql("DELETE FROM \"AuditEvent\" WHERE \"Id\" = {0}", entries[1].Id);
        (code, output) = await VerifyAsync(data);
        Assert.Equal(AuditCommand.Broken, code);
        Assert.Contains($"BROKEN: Entry {entries[2].Id} (sequence 3): sequence 2 before it is missing", output);

        // Put back as it was (the chain holds again), then forge one more entry at the end.
        await Sql("""
            INSERT INTO "AuditEvent" ("Id", "Sequence", "At", "ActorId", "ActorName", "EntityType", "EntityId", "Action", "Before", "After", "FindingId", "PreviousHash", "Hash")
            VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, NULL, {8}, NULL, {9}, {10})
            """, entries[1].Id, entries[1].Sequence, data.IsPostgres ? entries[1].At : entries[1].At.ToUnixTimeMilliseconds(), entries[1].ActorId, entries[1].ActorName,
            entries[1].EntityType, entries[1].EntityId, entries[1].Action, entries[1].After!, entries[1].PreviousHash!, entries[1].Hash!);
        Assert.Equal(0, (await VerifyAsync(data)).Code);
        await Sql("""
            INSERT INTO "AuditEvent" ("Sequence", "At", "ActorId", "ActorName", "EntityType", "EntityId", "Action", "PreviousHash", "Hash")
            VALUES (6, {0}, 'setup', '初始设置', 'Unit', '99', 'unit.added', {1}, {1})
            """, data.IsPostgres ? entries[4].At : entries[4].At.ToUnixTimeMilliseconds(), entries[4].Hash!);
        var forged = await data.WithDbAsync(db => db.Set<AuditEvent>().Where(e => e.Sequence == 6).Select(e => e.Id).SingleAsync());
        (code, output) = await VerifyAsync(data);
        Assert.Equal(AuditCommand.Broken, code);
        Assert.Contains($"BROKEN: Entry {forged} (sequence 6): its content no longer matches its hash", output);
    }

    /// <summary>Runs the published command on the test database's data folder (and PostgreSQL database).</summary>
    private static async Task<(int Code, string Output)> VerifyAsync(TestDatabase data)
    {
        var dll = Path.Combine(Browser.BrowserApp.RepoRoot(), "app", "Rectify.Web", "bin", "Release", "net10.0", "Rectify.Web.dll");
        Assert.True(File.Exists(dll), dll);
        string[] settings = [$"--Rectify:DataDirectory={data.Directory}", .. TestPostgres.SettingsFor(data.Directory).Select(s => $"--{s.Key}={s.Value}")];
        var start = new ProcessStartInfo("dotnet", [dll, "--", "audit", "verify", .. settings])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }
}
