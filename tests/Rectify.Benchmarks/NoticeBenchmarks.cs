using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Categories;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Mail;
using Rectify.Mail.Templates;
using Rectify.Notices;
using Rectify.Notices.Spreadsheets;
using Rectify.Testing;
using Rectify.Workflows;

namespace Rectify.Benchmarks;

/// <summary>
/// "notices" mode: the figures of issue 5 on a real SQLite file with the real workflow runtime and mail outbox —
/// a notice of 1,000 findings across 60 units rendered to HTML and .docx, issued (1,000 workflows, 60 unit mails),
/// and a 10,000-row .xlsx imported.
/// </summary>
public static class NoticeBenchmarks
{
    public static async Task<int> RunAsync()
    {
        await using var db = await TestDatabase.CreateAsync((services, configuration) =>
        {
            services.AddRectifyMail(configuration);
            services.AddRectifyWorkflows(configuration);
            services.AddRectifyNotices(configuration);
        });
        var categories = new[] { "主动公开", "政策解读", "平台建设", "互动服务", "信息审核", "政务新媒体", "12345热线", "重点工作落实" };
        var (unitIds, categoryIds) = await db.WithDbAsync(async ctx =>
        {
            var units = Enumerable.Range(1, 60).Select(i => Sample.Unit($"单位{i:00}")).ToList();
            ctx.AddRange(units);
            var cats = categories.Select((n, i) => new Category { Name = n, SortOrder = i }).ToList();
            ctx.AddRange(cats);
            await ctx.SaveChangesAsync();
            return (units.Select(u => u.Id).ToArray(), cats.Select(c => c.Id).ToArray());
        });
        // A first, smaller notice is issued unmeasured: the JIT and EF's compiled queries warm up on it, as in a
        // running server. The 1,000-finding notice is then issued warm.
        var warmUpInspectionId = await AddInspectionAsync(db, "预热检查", 60, unitIds, categoryIds);
        var inspectionId = await AddInspectionAsync(db, "基准检查", 1000, unitIds, categoryIds);

        var warmUpNoticeId = await CreateDraftAsync(db, warmUpInspectionId, "X政公办〔2026〕98号");
        var noticeId = await CreateDraftAsync(db, inspectionId, "X政公办〔2026〕99号");

        // A draft's text is composed (and stored as its preview) when it is saved or recomposed; reading it is cheap.
        var html = "";
        var render = await MedianAsync(async () =>
        {
            await using var scope = db.Scope(Sample.Auditor);
            await scope.ServiceProvider.GetRequiredService<NoticeService>().RecomposeAsync(noticeId, Sample.Auditor);
        });
        var compose = await MedianAsync(async () =>
        {
            await using var scope = db.Scope(Sample.Auditor);
            html = await scope.ServiceProvider.GetRequiredService<NoticeService>().BodyHtmlAsync(noticeId, Sample.Auditor);
        });
        await using (var scope = db.Scope(Sample.Auditor))
        {
            var notices = scope.ServiceProvider.GetRequiredService<NoticeService>();
            var content = await notices.ContentAsync(noticeId, Sample.Auditor);
            var templateOnly = await MedianAsync(() => { notices.RenderBody(content); return Task.CompletedTask; });
            var baseline = await MedianAsync(() => { Baseline.Encode(content); return Task.CompletedTask; });
            Report("notice HTML, template only (1,000 findings, 60 units)", templateOnly,
                $"{html.Length / 1024} KB; {templateOnly / baseline:0.0}× the baseline ({Baseline.What}: {baseline.TotalMilliseconds:0.00} ms)");
            var renderer = scope.ServiceProvider.GetRequiredService<TemplateRenderer>();
            var messages = Baseline.Mails(renderer);
            var mailRender = await MedianAsync(() => { foreach (var (name, model) in messages) renderer.Render(name, model); return Task.CompletedTask; });
            var mailBaseline = await MedianAsync(() => { foreach (var (_, model) in messages) Baseline.Encode(model); return Task.CompletedTask; });
            Report($"mail, {messages.Count} messages (every template, 3 parts each)", mailRender,
                $"{mailRender.TotalMicroseconds / messages.Count:0} µs a message; {mailRender / mailBaseline:0.0}× the baseline ({mailBaseline.TotalMilliseconds:0.00} ms)");
        }
        Report("notice HTML, composed from the database + rendered + stored (recompose)", render, $"reading the stored preview {compose.TotalMilliseconds:0} ms");
        var bytes = Array.Empty<byte>();
        var docx = await MedianAsync(() => { bytes = NoticeDocxWriter.Write(html); return Task.CompletedTask; });
        Report("notice .docx from the rendered body", docx, $"{bytes.Length / 1024} KB");

        var (warmUpElapsed, warmUpNote) = await IssueAsync(db, warmUpNoticeId);
        Report("issue a first notice of 60 findings (cold: JIT, EF queries)", warmUpElapsed, warmUpNote);
        var (issueElapsed, issueNote) = await IssueAsync(db, noticeId);
        var (assigned, instances, mails) = await db.WithDbAsync(async ctx => (
            await ctx.Set<Finding>().CountAsync(f => f.InspectionId == inspectionId && f.Status != FindingStatus.Draft),
            await ctx.Set<Finding>().CountAsync(f => f.InspectionId == inspectionId),
            await ctx.Set<OutboxMessage>().CountAsync(m => m.NoticeId == noticeId)));
        Report("issue (freeze + start workflows + queue unit mails)", issueElapsed, $"{assigned} of {instances} findings started, {mails} unit mails queued; {issueNote}");

        var rows = Enumerable.Range(0, 10_000).Select(i => (IReadOnlyList<object?>)
            [$"单位{i % 60 + 1:00}", categories[i % categories.Length], $"https://www.example.gov.cn/col/{i}", $"第{i + 1}个问题", "按要求整改", i % 2 == 0 ? "2026-04-30" : 10]).ToArray();
        var file = Xlsx.Write(new XlsxSheet("检查发现问题", FindingColumns.Import, rows));
        var watch = Stopwatch.StartNew();
        var cpu = Cpu();
        ImportResult result;
        await using (var scope = db.Scope(Sample.Auditor))
            result = await scope.ServiceProvider.GetRequiredService<FindingImporter>().ImportAsync(new MemoryStream(file),
                new ImportRequest("基准导入", InspectionKind.ThirdPartyCheck, new(2026, 3, 1), new(2026, 3, 31)), Sample.Auditor);
        watch.Stop();
        var importCpu = Cpu() - cpu;
        Report("import 10,000-row .xlsx (validate + save)", watch.Elapsed, $"{file.Length / 1024} KB file, {result.Imported} imported, {result.Errors.Count} errors; CPU {importCpu.TotalMilliseconds:0} ms");
        return result.Succeeded && mails == 60 ? 0 : 1;
    }

    internal static Task<int> AddInspectionAsync(TestDatabase db, string title, int findings, int[] unitIds, int[] categoryIds) =>
        db.WithDbAsync(async ctx =>
        {
            var inspection = new Inspection { Title = title, PeriodStart = new(2026, 2, 1), PeriodEnd = new(2026, 2, 28), CreatedAt = ctx.Time.GetUtcNow() };
            ctx.Add(inspection);
            for (var i = 0; i < findings; i++)
            {
                ctx.Add(new Finding
                {
                    Inspection = inspection, UnitId = unitIds[i % unitIds.Length], CategoryId = categoryIds[i % categoryIds.Length],
                    Location = $"政务公开-栏目{i % 37}-子栏目{i % 11}", Description = $"第{i + 1}个问题：栏目信息长期未更新，部分链接无法打开",
                    Requirement = "及时更新并规范发布", Deadline = new DateOnly(2026, 3, 20), CreatedAt = ctx.Time.GetUtcNow(),
                });
            }
            await ctx.SaveChangesAsync();
            return inspection.Id;
        });

    internal static async Task<int> CreateDraftAsync(TestDatabase db, int inspectionId, string number)
    {
        await using var scope = db.Scope(Sample.Auditor);
        var notices = scope.ServiceProvider.GetRequiredService<NoticeService>();
        var draft = notices.NewDraft([inspectionId], new(2026, 2, 1), new(2026, 2, 28), "区政务公开办") with { Number = number };
        return (await notices.CreateDraftAsync(draft, Sample.Auditor)).Id;
    }

    private static async Task<(TimeSpan Elapsed, string Note)> IssueAsync(TestDatabase db, int noticeId)
    {
        var watch = Stopwatch.StartNew();
        var cpu = Cpu();
        var pause = GC.GetTotalPauseDuration();
        var collections = GC.CollectionCount(0);
        var allocated = GC.GetTotalAllocatedBytes();
        await using (var scope = db.Scope(Sample.Auditor))
            await scope.ServiceProvider.GetRequiredService<NoticeService>().IssueAsync(noticeId, Sample.Auditor);
        return (watch.Elapsed, $"CPU {(Cpu() - cpu).TotalMilliseconds:0} ms, GC pauses {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:0} ms in {GC.CollectionCount(0) - collections} collections, {(GC.GetTotalAllocatedBytes() - allocated) / 1_048_576} MB allocated");
    }

    /// <summary>Process CPU time: on a shared, loaded machine it says more than the wall clock.</summary>
    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    private static async Task<TimeSpan> MedianAsync(Func<Task> work, int runs = 5)
    {
        await work(); // warm-up: JIT, template parse, EF model
        var times = new List<TimeSpan>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await work();
            times.Add(watch.Elapsed);
        }
        return times.Order().ElementAt(runs / 2);
    }

    private static void Report(string what, TimeSpan elapsed, string note) =>
        Console.WriteLine($"{what,-58} {elapsed.TotalMilliseconds,8:0.0} ms   {note}");
}
