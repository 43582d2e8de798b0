using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Mail;
using Rectify.Notices;
using Rectify.Notices.Spreadsheets;
using Rectify.Reports;
using Rectify.Testing;
using Rectify.Workflows;
using Rectify.Workflows.Timers;

namespace Rectify.Benchmarks;

/// <summary>
/// "mixed" mode (issue 20): 32 clients — liaisons submitting reports, auditors reviewing them, everyone reading the
/// finding list and a finding — on one SQLite file while an auditor issues a notice of 10,000 findings, another
/// imports a spreadsheet of 2,000 findings and the dispatcher fires 2,000 due reminders. Prints p50/p95/p99 of the
/// clients' writes and reads, the issue, import and timer catch-up times, and per kind of writer how long it waited
/// for SQLite's writer turn and held it (the turn's own histograms, told apart by who recorded them), and what one more
/// writer saving every 100 ms waited (with 0 clients: the wait behind the long jobs alone). Everything is warmed once,
/// unmeasured, before the measured round.
/// </summary>
public static class MixedLoadBenchmark
{
    private const int Units = 60;
    private const int ImportRows = 2_000;

    /// <summary>Which part of the load the current flow belongs to, for the turn's measurements.</summary>
    private static readonly AsyncLocal<string?> Role = new();

    public static async Task<int> RunAsync(string[] args)
    {
        var positional = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(int.Parse).ToList();
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
        await IssueNoticeAsync(db, await NoticeBenchmarks.AddInspectionAsync(db, "预热", warmUp, unitIds, [categoryId]), "W〔2026〕1号");
        var office = await NoticeBenchmarks.AddInspectionAsync(db, "在办", Math.Max(0, timers - warmUp), unitIds, [categoryId]);
        await IssueNoticeAsync(db, office, "W〔2026〕2号");
        db.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 17, 1, 30, 0, TimeSpan.Zero));
        var due = await db.WithDbAsync(ctx => ctx.Set<WorkflowTimer>().CountAsync(t => t.DueAt <= db.Clock.GetUtcNow()));
        var clientFindings = await db.WithDbAsync(ctx => ctx.Set<Finding>().Where(f => f.InspectionId == office).Select(f => new { f.Id, f.UnitId }).ToListAsync());
        var big = await NoticeBenchmarks.AddInspectionAsync(db, "大型检查", noticeSize, unitIds, [categoryId]);
        Console.WriteLine($"{due:N0} timers due; {clientFindings.Count:N0} findings open for reports");

        var rows = Enumerable.Range(0, ImportRows).Select(i => (IReadOnlyList<object?>)
            [$"单位{i % Units + 1:00}", "主动公开", $"https://www.example.gov.cn/col/{i}", $"导入的第{i + 1}个问题", "按要求整改", "2026-04-30"]).ToArray();
        var sheet = Xlsx.Write(new XlsxSheet("检查发现问题", FindingColumns.Import, rows));

        var waits = new ConcurrentDictionary<string, ConcurrentBag<double>>();
        var holds = new ConcurrentDictionary<string, ConcurrentBag<double>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument == SqliteWriterTurn.WaitTime || instrument == SqliteWriterTurn.HoldTime)
                l.EnableMeasurementEvents(instrument);
        };
        // The notice's turns in three parts: its chunks, the one that publishes it (seen by its statement), its clean-up.
        var noticePart = "notice issue";
        listener.SetMeasurementEventCallback<double>((instrument, ms, _, _) =>
        {
            var role = Role.Value is "notice issue" ? noticePart : Role.Value ?? "other";
            (instrument == SqliteWriterTurn.WaitTime ? waits : holds).GetOrAdd(role, _ => []).Add(ms);
            if (instrument == SqliteWriterTurn.HoldTime && role == "notice publish")
                noticePart = "notice clean-up";
        });
        listener.Start();
        // The big draft is composed before the clock starts; its turns are reported with the others.
        Role.Value = "notice draft";
        var noticeId = await NoticeBenchmarks.CreateDraftAsync(db, big, "X〔2026〕99号");
        Role.Value = null;
        using var publishing = new PublishWatch(() =>
        {
            if (Role.Value is "notice issue")
                noticePart = "notice publish";
        });

        var writes = new ConcurrentBag<double>();
        var lockedWrites = 0;
        var reads = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var queue = new ConcurrentQueue<(int Id, int UnitId)>(clientFindings.Select(f => (f.Id, f.UnitId)));
        var content = new ReportContent("已按要求整改", true, ["https://www.example.gov.cn/a"], []);
        var watch = Stopwatch.StartNew();
        // One person saving every 100 ms besides the clients: with 0 clients, what a write waits behind the long jobs alone.
        Role.Value = "probe";
        await using var probe = new TurnProbe(db.Services, TimeSpan.FromMilliseconds(100));
        Role.Value = null;
        var issue = Task.Run(async () =>
        {
            Role.Value = "notice issue";
            var start = watch.Elapsed;
            await using var scope = db.Scope(Sample.Auditor);
            await scope.ServiceProvider.GetRequiredService<NoticeService>().IssueAsync(noticeId, Sample.Auditor);
            return watch.Elapsed - start;
        });
        var import = Task.Run(async () =>
        {
            Role.Value = "import";
            var start = watch.Elapsed;
            await using var scope = db.Scope(Sample.Auditor);
            var result = await scope.ServiceProvider.GetRequiredService<FindingImporter>().ImportAsync(new MemoryStream(sheet),
                new ImportRequest("同时导入的检查", InspectionKind.ThirdPartyCheck, new(2026, 3, 1), new(2026, 3, 31)), Sample.Auditor);
            if (!result.Succeeded)
                throw new InvalidOperationException($"import failed: {string.Join("; ", result.Errors.Select(e => e.Message))}");
            return watch.Elapsed - start;
        });
        var fire = Task.Run(async () =>
        {
            Role.Value = "timers";
            // As the background service does: a failed pass (e.g. the file stayed locked past the busy timeout
            // behind a long write) is logged and tried again; it is counted here.
            var dispatcher = db.Services.GetRequiredService<TimerDispatcher>();
            var fired = 0;
            var failures = 0;
            while (true)
            {
                try
                {
                    var n = await dispatcher.FireDueAsync();
                    if (n == 0)
                        break;
                    fired += n;
                }
                catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode == 5)
                {
                    failures++;
                }
            }
            return (fired, failures, watch.Elapsed);
        });
        var workers = Enumerable.Range(0, clients).Select(worker => Task.Run(async () =>
        {
            Role.Value = "clients";
            var random = new Random(worker);
            while (!stop.IsCancellationRequested)
            {
                // Each user action comes as a request of its own, a new work item, as the web server starts one. Without
                // this a client whose calls all complete synchronously (SQLite's reads do) keeps its thread for the whole
                // run: 16 readers held 16 of the pool's threads, and the writers' continuations waited up to 30 s for one.
                await Task.Yield();
                var t = Stopwatch.StartNew();
                if (worker % 2 == 0 && queue.TryDequeue(out var item))
                {
                    // A write: the liaison's report, then the auditor's acceptance (two user actions, timed each).
                    // A write refused after SQLite's busy timeout ('database is locked') is what a user sees as an
                    // error: counted apart, not timed.
                    try
                    {
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
                    catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 } || e.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 })
                    {
                        Interlocked.Increment(ref lockedWrites);
                    }
                }
                else
                {
                    var unit = unitIds[random.Next(unitIds.Length)];
                    var liaison = Sample.LiaisonOf(unit);
                    await using var scope = db.Scope(liaison);
                    var findings = scope.ServiceProvider.GetRequiredService<FindingService>();
                    var page = await findings.SearchAsync(new FindingFilter { UnitId = unit }, liaison);
                    if (page.Items.Count > 0 && page.Items[0] is { } first)
                        await findings.GetAsync(first.Id, liaison);
                    reads.Add(t.Elapsed.TotalMilliseconds);
                }
            }
        })).ToList();

        var issueTime = await issue;
        var importTime = await import;
        var (firedCount, failures, firedAt) = await fire;
        await probe.ReportAsync("the notice is issued, the import runs and timers fire");
        stop.Cancel();
        await Task.WhenAll(workers);
        listener.Dispose();

        Console.WriteLine();
        Console.WriteLine($"issue of {noticeSize:N0} findings: {issueTime.TotalSeconds:F1} s; import of {ImportRows:N0} rows: {importTime.TotalSeconds:F1} s; "
                          + $"{firedCount:N0} timers fired in {firedAt.TotalSeconds:F1} s ({failures} dispatcher passes failed on 'database is locked')");
        Report("writes (report, review)", writes);
        Console.WriteLine($"writes refused with 'database is locked' (after the 30 s busy timeout): {lockedWrites}");
        Report("reads (list + detail)", reads);
        Console.WriteLine("SQLite writer turn, by writer:");
        foreach (var role in waits.Keys.Union(holds.Keys).Order(StringComparer.Ordinal))
        {
            Report($"  {role}: wait", waits.GetValueOrDefault(role) ?? []);
            Report($"  {role}: hold", holds.GetValueOrDefault(role) ?? []);
        }
        return 0;
    }

    /// <summary>Calls <paramref name="published"/> in the flow that runs a staging's publishing statement (EF's diagnostic events).</summary>
    private sealed class PublishWatch : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly Action _published;
        private readonly List<IDisposable> _subscriptions = [];

        public PublishWatch(Action published)
        {
            _published = published;
            _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                lock (_subscriptions)
                    _subscriptions.Add(value.Subscribe(this));
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == RelationalEventId.CommandExecuted.Name && value.Value is CommandExecutedEventData c
                && c.Command.CommandText.Contains("\"PublishedAt\" =", StringComparison.Ordinal))
                _published();
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            lock (_subscriptions)
                _subscriptions.ForEach(s => s.Dispose());
        }
    }

    private static void Report(string what, IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        Console.WriteLine($"{what,-26} n={sorted.Length,6}  p50 {P(0.50),7:F0} ms  p95 {P(0.95),7:F0} ms  p99 {P(0.99),7:F0} ms  max {(sorted.Length == 0 ? 0 : sorted[^1]),7:F0} ms");
    }

    private static async Task IssueNoticeAsync(TestDatabase db, int inspectionId, string number)
    {
        var id = await NoticeBenchmarks.CreateDraftAsync(db, inspectionId, number);
        await using var scope = db.Scope(Sample.Auditor);
        await scope.ServiceProvider.GetRequiredService<NoticeService>().IssueAsync(id, Sample.Auditor);
    }
}
