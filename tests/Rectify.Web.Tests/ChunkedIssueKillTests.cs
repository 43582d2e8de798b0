using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Mail;
using Rectify.Notices;
using Rectify.Testing;
using Rectify.Web.Demo;
using Rectify.Workflows;
using Xunit.Abstractions;

namespace Rectify.Web.Tests;

/// <summary>
/// The real app as a child process issues a notice of many findings and is killed (SIGKILL) at a random, seeded
/// moment, again and again, and once as soon as the notice is published, in its clean-up; after each restart the
/// notice is wholly issued (every finding assigned with exactly one workflow instance, its timers and its mails,
/// nothing held) or wholly absent (all drafts, nothing started). SQLite only: the PostgreSQL pass runs the same code
/// in-process (ChunkedIssueTests).
/// </summary>
public sealed class ChunkedIssueKillTests(ITestOutputHelper output)
{
    private const int Findings = 300;
    private const int Seed = 20261130;

    [Fact]
    public async Task A_notice_killed_at_random_moments_is_after_each_restart_wholly_issued_or_wholly_absent()
    {
        if (TestPostgres.Server is not null)
            return;
        var data = Path.Combine(Path.GetTempPath(), "rectify-kill-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var notices = await PrepareAsync(data, count: 5);
            var random = new Random(Seed);
            // The first notice is issued to its end: how long that takes is the window the others are killed in; the
            // last one is killed once it is seen published.
            var took = TimeSpan.Zero;
            foreach (var (notice, inspection) in notices)
            {
                var inCleanUp = notice == notices[^1].Notice;
                TimeSpan? killAfter = took == TimeSpan.Zero || inCleanUp ? null : took * random.NextDouble();
                await using (var app = await ChildApp.StartAsync(data))
                {
                    var auditor = await app.SignInAsync("auditor");
                    await SucceededAsync(await auditor.PostAsync($"/api/notices/{notice}/recompose", null));
                    var clock = Stopwatch.StartNew();
                    var issue = auditor.PostAsync($"/api/notices/{notice}/issue", null);
                    if (inCleanUp)
                    {
                        await PublishedAsync(data, notice, issue);
                        app.Freeze();
                        app.Kill();
                    }
                    else if (killAfter is { } after)
                    {
                        await Task.WhenAny(issue, Task.Delay(after));
                        app.Kill();
                    }
                    else
                    {
                        await SucceededAsync(await issue);
                        took = clock.Elapsed;
                    }
                }
                var left = await StateAsync(data, notice, inspection);
                // After a restart a staged issue is finished by the recovery; the auditor sees it 印发中 until then.
                string status;
                await using (var app = await ChildApp.StartAsync(data))
                {
                    var auditor = await app.SignInAsync("auditor");
                    // A guard against a recovery that never ends, far above any issue's time.
                    using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(15));
                    // An issued notice may still be cleaned up: the assertions below want its staging gone.
                    while ((status = await StatusAsync(auditor, notice)) == nameof(NoticeStatus.Issuing) || await StagedAsync(data, notice))
                        await Task.Delay(200, guard.Token);
                }
                var how = inCleanUp ? "killed once seen published" : killAfter is { } k ? $"killed after {k.TotalMilliseconds:F0} ms" : null;
                output.WriteLine($"notice {notice}: {(how is null ? $"issued in {took.TotalMilliseconds:F0} ms" : $"{how}, leaving it {left}")}; after restart {status}");
                await AssertWholeOrNoneAsync(data, notice, inspection, issued: status == nameof(NoticeStatus.Issued));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// What the kill left, before any restart: the notice's status and how far its staging got. A published one is
    /// seen whole already: issued, every finding visible.
    /// </summary>
    private static async Task<string> StateAsync(string data, int notice, int inspection)
    {
        await using var db = Open(data);
        var status = await db.Set<Notice>().Where(n => n.Id == notice).Select(n => n.Status).SingleAsync();
        var staging = await db.Set<IssueStaging>().Where(s => s.NoticeId == notice).Select(s => new { s.Done, s.Total, s.PublishedAt }).SingleOrDefaultAsync();
        if (staging?.PublishedAt is not null)
        {
            Assert.Equal(NoticeStatus.Issued, status);
            Assert.Equal(Findings, await db.Set<Finding>().CountAsync(f => f.InspectionId == inspection && f.Status == FindingStatus.Assigned));
        }
        return staging is null ? status.ToString() : $"{status} {staging.Done}/{staging.Total}{(staging.PublishedAt is null ? "" : ", published, in its clean-up")}";
    }

    /// <summary>Whether the notice's staging is still there (being issued or cleaned up).</summary>
    private static async Task<bool> StagedAsync(string data, int notice)
    {
        await using var db = Open(data);
        return await db.Set<IssueStaging>().AnyAsync(s => s.NoticeId == notice);
    }

    /// <summary>
    /// Returns as soon as the notice's staging is seen published (the clean-up after it takes some transactions, so
    /// the kill that follows lands in it, or just after it), or when the issue answered.
    /// </summary>
    private static async Task PublishedAsync(string data, int notice, Task issue)
    {
        await using var db = Open(data);
        await db.Database.OpenConnectionAsync();
        while (!issue.IsCompleted && !await db.Set<IssueStaging>().AnyAsync(s => s.NoticeId == notice && s.PublishedAt != null))
            await Task.Yield();
    }

    private static RectifyDb Open(string data) =>
        new(new DbContextOptionsBuilder<RectifyDb>().UseSqlite($"Data Source={Path.Combine(data, "rectify.db")};Pooling=False")
            .UseRectifyModules([Rectify.Workflows.WorkflowsModule.Database, Rectify.Mail.MailModule.Database, Rectify.Notices.NoticesModule.Database]).Options);

    private static async Task SucceededAsync(HttpResponseMessage response) =>
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");

    private static async Task<string> StatusAsync(HttpClient client, int notice) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/notices/{notice}")).GetProperty("status").GetString()!;

    /// <summary>The demo office with <paramref name="count"/> inspections of <see cref="Findings"/> drafts (due in four months), each with a draft notice publishing it.</summary>
    private static async Task<List<(int Notice, int Inspection)>> PrepareAsync(string data, int count)
    {
        await using var node = new PreparingNode(data);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var prepared = new List<(int, int)>();
        for (var n = 1; n <= count; n++)
        {
            var inspection = await node.WithDbAsync(async db =>
            {
                var units = await db.Set<global::Rectify.Units.Unit>().OrderBy(u => u.Id).Select(u => u.Id).ToListAsync();
                var categories = await db.Set<global::Rectify.Categories.Category>().OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
                var inspection = new Inspection { Title = $"大批量通报检查{n}", Kind = InspectionKind.ThirdPartyCheck, PeriodStart = new(2026, 2, 1), PeriodEnd = new(2026, 2, 28) };
                db.Add(inspection);
                db.AddRange(Enumerable.Range(1, Findings).Select(i => new Finding
                {
                    Inspection = inspection, UnitId = units[i % units.Count], CategoryId = categories[i % categories.Count],
                    Description = $"批量问题{n}-{i}", Requirement = "及时更新", Deadline = today.AddMonths(4),
                }));
                await db.SaveChangesAsync();
                return inspection.Id;
            });
            await using var scope = node.Services.CreateAsyncScope();
            var notices = scope.ServiceProvider.GetRequiredService<NoticeService>();
            var draft = notices.NewDraft([inspection], new(2026, 2, 1), new(2026, 2, 28), "区政务公开办") with { Number = $"X政公办〔2026〕{90 + n}号", Date = today.AddDays(30) };
            prepared.Add(((await notices.CreateDraftAsync(draft, Sample.Auditor)).Id, inspection));
        }
        return prepared;
    }

    private static async Task AssertWholeOrNoneAsync(string data, int notice, int inspection, bool issued)
    {
        await using var db = Open(data);
        var findings = await db.Set<Finding>().IgnoreQueryFilters().Where(f => f.InspectionId == inspection).Select(f => new { f.Id, f.Status, f.StagingId }).ToListAsync();
        var ids = findings.Select(f => f.Id).ToList();
        var instances = await db.Set<WorkflowInstance>().Where(i => i.FindingId != null && ids.Contains(i.FindingId.Value) && i.ParentInstanceId == null)
            .Select(i => new { i.Id, FindingId = i.FindingId!.Value }).ToListAsync();
        var instanceIds = instances.Select(i => i.Id).ToList();
        var timed = await db.Set<WorkflowTimer>().Where(t => instanceIds.Contains(t.InstanceId)).Select(t => t.InstanceId).Distinct().CountAsync();
        var mailed = await db.Set<OutboxMessage>().Where(m => m.FindingId != null && ids.Contains(m.FindingId.Value)).Select(m => m.FindingId).Distinct().CountAsync();
        var status = await db.Set<Notice>().Where(n => n.Id == notice).Select(n => n.Status).SingleAsync();

        Assert.Equal(Findings, findings.Count);
        Assert.All(findings, f => Assert.Null(f.StagingId));
        Assert.Empty(await db.Set<IssueStaging>().ToListAsync());
        Assert.Equal(0, await db.Set<WorkflowTimer>().CountAsync(t => t.LeaseUntil == IssueStaging.HeldUntil));
        Assert.Equal(0, await db.Set<OutboxMessage>().CountAsync(m => m.LeaseUntil == IssueStaging.HeldUntil));
        if (issued)
        {
            Assert.Equal(NoticeStatus.Issued, status);
            Assert.All(findings, f => Assert.Equal(FindingStatus.Assigned, f.Status));
            Assert.Equal(ids.Order(), instances.Select(i => i.FindingId).Order());
            Assert.Equal(Findings, timed);
            Assert.Equal(Findings, mailed);
            Assert.NotEqual(0, await db.Set<OutboxMessage>().CountAsync(m => m.NoticeId == notice));
        }
        else
        {
            Assert.Equal(NoticeStatus.Draft, status);
            Assert.All(findings, f => Assert.Equal(FindingStatus.Draft, f.Status));
            Assert.Empty(instances);
            Assert.Equal(0, mailed);
            Assert.Equal(0, await db.Set<OutboxMessage>().CountAsync(m => m.NoticeId == notice));
        }
    }

    /// <summary>Seeds the demo office into the data folder, in-process, before any child runs on it.</summary>
    private sealed class PreparingNode(string data) : RectifyWebFactory(data);

    /// <summary><c>dotnet Rectify.Web.dll</c> on the data folder, listening on a free loopback port.</summary>
    private sealed class ChildApp : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Uri _address;

        private ChildApp(Process process, Uri address) => (_process, _address) = (process, address);

        public static async Task<ChildApp> StartAsync(string data)
        {
            var dll = Path.Combine(Browser.BrowserApp.RepoRoot(), "app", "Rectify.Web", "bin", "Release", "net10.0", "Rectify.Web.dll");
            Assert.True(File.Exists(dll), dll);
            var address = new Uri($"http://127.0.0.1:{FreePort()}");
            var start = new ProcessStartInfo("dotnet", [dll, "--urls", address.ToString(), $"--Rectify:DataDirectory={data}", "--Workflows:RunDispatcher=false"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(dll)!,
                Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Testing" },
            };
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var app = new ChildApp(process, address);
            using var probe = new HttpClient { BaseAddress = address };
            while (true)
            {
                Assert.False(process.HasExited, "the app exited while starting");
                try
                {
                    if ((await probe.GetAsync("/api/auth/antiforgery")).IsSuccessStatusCode)
                        return app;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(200);
                }
            }
        }

        public async Task<HttpClient> SignInAsync(string userName)
        {
            var client = new HttpClient(new AntiforgeryHandler(new HttpClientHandler { CookieContainer = new CookieContainer() })) { BaseAddress = _address, Timeout = TimeSpan.FromMinutes(10) };
            var response = await client.PostAsJsonAsync("/api/auth/login", new { userName, password = DemoData.Password });
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            return client;
        }

        /// <summary>SIGSTOP: the app stops where it is at once (<see cref="Kill"/> takes a while to find the process tree).</summary>
        public void Freeze() => Assert.Equal(0, SendSignal(_process.Id, 19));

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int SendSignal(int pid, int signal);

        /// <summary>SIGKILL: no shutdown hook, no flush, as a power cut or the OOM killer would.</summary>
        public void Kill()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public ValueTask DisposeAsync()
        {
            Kill();
            _process.Dispose();
            return ValueTask.CompletedTask;
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
