using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Testing;

namespace Rectify.Web.Tests;

/// <summary>
/// <c>dotnet Rectify.Web.dll -- backup FILE</c> run beside a working app (liaisons submitting reports with evidence,
/// the auditor returning them), then the README's restore: extract into an empty data folder and start the app there.
/// </summary>
public sealed class BackupTests(WebFixture app) : IClassFixture<WebFixture>
{
    private static readonly byte[] Pdf = ReportFlowTests.Pdf;

    private static async Task<(int ExitCode, string Output)> RunBackupAsync(string data, string file)
    {
        var dll = Path.Combine(Browser.BrowserApp.RepoRoot(), "app", "Rectify.Web", "bin", "Release", "net10.0", "Rectify.Web.dll");
        Assert.True(File.Exists(dll), dll);
        string[] settings = [$"--Rectify:DataDirectory={data}", .. TestPostgres.SettingsFor(data).Select(s => $"--{s.Key}={s.Value}")];
        var start = new ProcessStartInfo("dotnet", [dll, "--", "backup", file, .. settings])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// <summary>One unit's liaison submitting and the auditor returning, over and over; each report id is recorded once the API acknowledged it.</summary>
    private async Task WriteLoadAsync(string liaison, string unit, ConcurrentQueue<int> acknowledged, CancellationToken stop)
    {
        var finding = await app.FindingOfAsync(unit);
        var client = await app.ClientAsync(liaison);
        var auditor = await app.ClientAsync("auditor");
        for (var round = 0; !stop.IsCancellationRequested; round++)
        {
            var content = new ByteArrayContent(Pdf);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            var form = new MultipartFormDataContent { { new StringContent($"第{round + 1}次整改措施"), "measures" }, { content, "files", $"佐证{round}.pdf" } };
            var report = await WebFixture.JsonAsync(await client.PostAsync($"/api/findings/{finding}/reports", form, CancellationToken.None), HttpStatusCode.Created);
            var id = report.GetProperty("id").GetInt32();
            acknowledged.Enqueue(id);
            await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, $"/api/findings/{finding}/reports/{id}/review", new { accept = false, comment = "请补充" }), HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Backup_under_write_load_restores_every_acknowledged_report_and_the_app_starts_on_it()
    {
        var work = Path.Combine(Path.GetTempPath(), "rectify-backup-tests", Guid.NewGuid().ToString("N"));
        var file = Path.Combine(work, "rectify-backup.zip");
        var restored = Path.Combine(work, "restored");
        using var stop = new CancellationTokenSource();
        var acknowledged = new ConcurrentQueue<int>();
        var load = Task.WhenAll(
            WriteLoadAsync("jyj", "教育局", acknowledged, stop.Token),
            WriteLoadAsync("kjj", "科技局", acknowledged, stop.Token),
            WriteLoadAsync("wjw", "卫健委", acknowledged, stop.Token));
        try
        {
            while (acknowledged.Count < 6 && !load.IsCompleted)
                await Task.WhenAny(load, Task.Delay(50));
            var before = acknowledged.ToArray();
            var (exitCode, output) = await RunBackupAsync(app.DataDirectory, file);
            var during = acknowledged.Count;
            stop.Cancel();
            await load;

            if (TestPostgres.Server is not null)
            {
                // The online copy is SQLite's; on PostgreSQL the command says what to use instead and writes nothing.
                Assert.Equal(2, exitCode);
                Assert.Contains("pg_dump", output);
                Assert.False(File.Exists(file));
                return;
            }
            Assert.True(exitCode == 0, output);
            Assert.Contains("Backed up to", output);
            Assert.True(during > before.Length, "the app kept writing while the backup ran");

            // The README's restore: extract the archive into an empty data folder.
            ZipFile.ExtractToDirectory(file, restored);
            await using (var connection = new SqliteConnection($"Data Source={Path.Combine(restored, "rectify.db")};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var check = connection.CreateCommand();
                check.CommandText = "PRAGMA integrity_check";
                Assert.Equal("ok", await check.ExecuteScalarAsync());
            }

            await using var node = new RestoredNode(restored);
            var reports = await node.WithDbAsync(db => db.Set<RectificationReport>().Include(r => r.Evidence).Where(r => before.Contains(r.Id)).ToListAsync());
            Assert.Equal(before.Order(), reports.Select(r => r.Id).Order());
            Assert.All(reports.SelectMany(r => r.Evidence), e => Assert.True(File.Exists(Path.Combine(restored, "evidence", e.StorageKey)), e.StorageKey));

            // The restored office runs: a liaison signs in and downloads evidence acknowledged before the backup.
            var jyj = await node.ClientAsync("jyj");
            var finding = await node.WithDbAsync(db => db.Set<RectificationReport>().Where(r => before.Contains(r.Id) && r.Finding!.Unit!.Name == "教育局").Select(r => r.FindingId).FirstAsync());
            var detail = await WebFixture.JsonAsync(await jyj.GetAsync($"/api/findings/{finding}"), HttpStatusCode.OK);
            var evidence = detail.GetProperty("reports").EnumerateArray().SelectMany(r => r.GetProperty("evidence").EnumerateArray()).First();
            using var download = await jyj.GetAsync(evidence.GetProperty("downloadUrl").GetString());
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
        }
        finally
        {
            stop.Cancel();
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>An app on the restored data folder, as after the README's restore steps.</summary>
    private sealed class RestoredNode(string data) : RectifyWebFactory(data);
}
