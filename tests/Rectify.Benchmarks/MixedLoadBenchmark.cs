using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Categories;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Mail;
using Rectify.Notices;
using Rectify.Reports;
using Rectify.Testing;
using Rectify.Workflows;
using Rectify.Workflows.Timers;

namespace Rectify.Benchmarks;

/// <summary>
/// "mixed" mode (issue 20): 32 clients — liaisons submitting reports, auditors reviewing them, everyone reading the
/// finding list and a finding — on one SQLite file while an auditor issues a notice of 10,000 findings and the
/// dispatcher fires 2,000 due reminders. Prints p50/p95/p99 of the clients' writes and reads, the longest write, the
/// issue time and the timers' catch-up time. Everything is warmed once, unmeasured, before the measured round.
/// </summary>
public static class MixedLoadBenchmark
{
    private const int Units = 60;

    public static async Task<int> RunAsync(string[] args)
    {
        var positional = args.Skip(1).Where(a => !a.StartsWith("--")).Select(int.Parse).ToList();
        var noticeSize = positional.Count > 0 ? positional[0] : 10_000;
        var timers = positional.Count > 1 ? positional[1] : 2_000;
        var clients = positional.Count > 2 ? positional[2] : 32;
        await using var db = await TestDatabase.CreateAsync((services, configuration) =>
        {
            services.AddRectifyMail(configuration);
            services.AddRectifyWorkflows(configuration);
            services.AddRectifyNotices(configuration);
        });
        Console.WriteLine($"mixed load on {(db.IsPostgres ? "PostgreSQL" : "SQLite")}: {clients} clients, a notice of {noticeSize:N0} findings, {timers:N0} due timers");
        var (unitIds, categoryId) = await db.WithDbAsync(async ctx =>
        {
            var units = Enumerable.Range(1, Units).Select(i => Sample.Unit($"单位{i:00}")).ToList();
            ctx.AddRange(units);
            var category = new Category { Name = "主动公开" };
            ctx.Add(category);
            await ctx.SaveChangesAsync();
            return (units.Select(u => u.Id).ToArray(), category.Id);
        });

        // The running office: findings whose first reminder falls due on the measured day (one timer each), which the
        // clients also report on. Issued through notices, unmeasured; a small first notice warms the issuing path.
        const int warmUp = 200;
        await IssueNoticeAsync(db, await AddInspectionAsync(db, "预热", warmUp, unitIds, categoryId), "W〔2026〕1号");
        var office = await AddInspectionAsync(db, "在办", Math.Max(0, timers - warmUp), unitIds, categoryId);
        await IssueNoticeAsync(db, office, "W〔2026〕2号");
        db.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 17, 1, 30, 0, TimeSpan.Zero));
        var due = await db.WithDbAsync(ctx => ctx.Set<WorkflowTimer>().CountAsync(t => t.DueAt <= db.Clock.GetUtcNow()));
        var clientFindings = await db.WithDbAsync(ctx => ctx.Set<Finding>().Where(f => f.InspectionId == office).Select(f => new { f.Id, f.UnitId }).ToListAsync());
        var big = await AddInspectionAsync(db, "大型检查", noticeSize, unitIds, categoryId);
        var noticeId = await CreateDraftAsync(db, big, "X〔2026〕99号");
        Console.WriteLine($"{due:N0} timers due; {clientFindings.Count:N0} findings open for reports; notice draft composed");

        var writes = new ConcurrentBag<double>();
        var reads = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var queue = new ConcurrentQueue<(int Id, int UnitId)>(clientFindings.Select(f => (f.Id, f.UnitId)));
        var content = new ReportContent("已按要求整改", true, ["https://www.example.gov.cn/a"], []);
        var watch = Stopwatch.StartNew();
        var issue = Task.Run(async () =>
        {
            var start = watch.Elapsed;
            await using var scope = db.Scope(Sample.Auditor);
            await scope.ServiceProvider.GetRequiredService<NoticeService>().IssueAsync(noticeId, Sample.Auditor);
            return watch.Elapsed - start;
        });
        var fire = Task.Run(async () =>
        {
            var dispatcher = db.Services.GetRequiredService<TimerDispatcher>();
            var fired = 0;
            int n;
            while ((n = await dispatcher.FireDueAsync()) > 0)
                fired += n;
            return (fired, watch.Elapsed);
        });
        var workers = Enumerable.Range(0, clients).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            while (!stop.IsCancellationRequested)
            {
                var t = Stopwatch.StartNew();
                if (worker % 2 == 0 && queue.TryDequeue(out var item))
                {
                    // A write: the liaison's report, then the auditor's acceptance (two user actions, timed each).
                    var liaison = Sample.LiaisonOf(item.UnitId);
                    RectificationReport report;
                    await using (var scope = db.Scope(liaison))
                        report = await scope.ServiceProvider.GetRequiredService<FindingLifecycle>().SubmitReportAsync(item.Id, content, liaison);
                    writes.Add(t.Elapsed.TotalMilliseconds);
                    t.Restart();
                    await using (var scope = db.Scope(Sample.Auditor))
                        await scope.ServiceProvider.GetRequiredService<FindingLifecycle>().ReviewAsync(item.Id, report.Id, true, "通过", Sample.Auditor);
                    writes.Add(t.Elapsed.TotalMilliseconds);
                }
                else
                {
                    var unit = unitIds[random.Next(unitIds.Length)];
                    var liaison = Sample.LiaisonOf(unit);
                    await using var scope = db.Scope(liaison);
                    var findings = scope.ServiceProvider.GetRequiredService<FindingService>();
                    var page = await findings.SearchAsync(new FindingFilter { UnitId = unit }, liaison);
                    if (page.Items.FirstOrDefault() is { } first)
                        await findings.GetAsync(first.Id, liaison);
                    reads.Add(t.Elapsed.TotalMilliseconds);
                }
            }
        })).ToList();

        var issueTime = await issue;
        var (firedCount, firedAt) = await fire;
        stop.Cancel();
        await Task.WhenAll(workers);

        Console.WriteLine();
        Console.WriteLine($"issue of {noticeSize:N0} findings: {issueTime.TotalSeconds:F1} s; {firedCount:N0} timers fired in {firedAt.TotalSeconds:F1} s");
        Report("writes (report, review)", writes);
        Report("reads (list + detail)", reads);
        return 0;
    }

    private static void Report(string what, ConcurrentBag<double> samples)
    {
        var sorted = samples.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        Console.WriteLine($"{what,-26} n={sorted.Length,6}  p50 {P(0.50),7:F0} ms  p95 {P(0.95),7:F0} ms  p99 {P(0.99),7:F0} ms  max {(sorted.Length == 0 ? 0 : sorted[^1]),7:F0} ms");
    }

    private static Task<int> AddInspectionAsync(TestDatabase db, string title, int findings, int[] unitIds, int categoryId) =>
        db.WithDbAsync(async ctx =>
        {
            var inspection = new Inspection { Title = title, PeriodStart = new(2026, 2, 1), PeriodEnd = new(2026, 2, 28), CreatedAt = ctx.Time.GetUtcNow() };
            ctx.Add(inspection);
            for (var i = 0; i < findings; i++)
            {
                ctx.Add(new Finding
                {
                    Inspection = inspection, UnitId = unitIds[i % unitIds.Length], CategoryId = categoryId,
                    Location = $"政务公开-栏目{i % 37}", Description = $"第{i + 1}个问题：栏目信息长期未更新",
                    Requirement = "及时更新并规范发布", Deadline = new DateOnly(2026, 3, 20), CreatedAt = ctx.Time.GetUtcNow(),
                });
            }
            await ctx.SaveChangesAsync();
            return inspection.Id;
        });

    private static async Task<int> CreateDraftAsync(TestDatabase db, int inspectionId, string number)
    {
        await using var scope = db.Scope(Sample.Auditor);
        var notices = scope.ServiceProvider.GetRequiredService<NoticeService>();
        var draft = notices.NewDraft([inspectionId], new(2026, 2, 1), new(2026, 2, 28), "区政务公开办") with { Number = number };
        return (await notices.CreateDraftAsync(draft, Sample.Auditor)).Id;
    }

    private static async Task IssueNoticeAsync(TestDatabase db, int inspectionId, string number)
    {
        var id = await CreateDraftAsync(db, inspectionId, number);
        await using var scope = db.Scope(Sample.Auditor);
        await scope.ServiceProvider.GetRequiredService<NoticeService>().IssueAsync(id, Sample.Auditor);
    }
}
