using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Auditing;
using Rectify.Captures;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Testing;

namespace Rectify.Notices.Tests;

/// <summary>
/// Drafting a notice fetches again the links of the findings accepted since the previous notice: a page kept, changed
/// beyond the threshold, or gone (against a unit's website on loopback, allowed here by configuration); the auditor
/// may put a rebound into the draft's follow-up (回头看).
/// </summary>
public sealed class LinkRecheckTests : IAsyncLifetime
{
    private const string Kept = "城区小学招生计划已于3月1日公开，共招收新生1200人，学区划分详见附件。";
    private const string Changed = "教育局2026年度财政预算已公开，包括一般公共预算收支总表和政府性基金预算。";
    private const string Gone = "政策解读：关于进一步规范义务教育阶段学校招生入学工作的通知解读。";

    private LocalWebSite _site = null!;
    private NoticeTestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _site = await LocalWebSite.StartAsync();
        _bed = await NoticeTestBed.CreateAsync(new Dictionary<string, string?> { ["Evidence:Capture:AllowLoopback"] = "true" });
    }

    public async Task DisposeAsync()
    {
        await _bed.DisposeAsync();
        await _site.DisposeAsync();
    }

    private static string Html(string text) => $"<html><head><title>教育局</title></head><body><div class=\"content\"><p>{text}</p></div></body></html>";

    [Fact]
    public async Task A_draft_lists_pages_gone_or_changed_since_acceptance_and_the_auditor_adds_one_to_the_follow_up()
    {
        var february = await _bed.InspectionAsync("2026年2月检查", new(2026, 2, 1), new(2026, 2, 28),
            ("教育局", "主动公开", "招生计划未公开", new DateOnly(2026, 3, 20)),
            ("科技局", "主动公开", "财政预算未公开", new DateOnly(2026, 3, 20)),
            ("住交局", "政策解读", "政策解读缺失", new DateOnly(2026, 3, 20)));
        var first = await _bed.DraftAsync("X政公办〔2026〕1号", new(2026, 3, 2), february);
        await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(first, Sample.Auditor));

        var links = new Dictionary<string, string>
        {
            ["招生计划未公开"] = _site.Page("/jyj/zsjh.html", Html(Kept)),
            ["财政预算未公开"] = _site.Page("/kjj/yusuan.html", Html(Changed)),
            ["政策解读缺失"] = _site.Page("/zjj/jiedu.html", Html(Gone)),
        };
        _bed.Db.Clock.Advance(TimeSpan.FromDays(2));
        foreach (var (description, link) in links)
            await ReportAndAcceptAsync(description, link);
        var worker = _bed.Db.Services.GetRequiredService<LinkCaptureWorker>();
        Assert.Equal(3, await worker.RunPendingAsync());

        // Later the unit's website changes: one page is rewritten, one is deleted, one stays (a line added).
        _bed.Db.Clock.Advance(TimeSpan.FromDays(5));
        _site.Page("/jyj/zsjh.html", Html(Kept + "</p><p>补充：民办学校招生简章。"));
        _site.Page("/kjj/yusuan.html", Html("网站改版中，相关栏目内容正在迁移，请稍后访问。"));
        _site.Remove("/zjj/jiedu.html");

        var march = await _bed.InspectionAsync("2026年3月检查", new(2026, 3, 1), new(2026, 3, 31),
            ("卫健委", "政务新媒体", "政务新媒体更新不及时", new DateOnly(2026, 4, 20)));
        var second = await _bed.DraftAsync("X政公办〔2026〕2号", new(2026, 3, 9), march);
        var queued = await RechecksAsync(second);
        Assert.Equal(3, queued.Count);
        Assert.All(queued, r => Assert.Equal(LinkOutcome.Pending, r.Capture.Outcome));
        Assert.All(queued, r => Assert.NotNull(r.Capture.BaselineId));

        Assert.Equal(3, await worker.RunPendingAsync());
        var rechecks = (await RechecksAsync(second)).ToDictionary(r => r.FindingDescription, r => r.Capture);
        Assert.Equal(LinkOutcome.Kept, rechecks["招生计划未公开"].Outcome);
        Assert.Equal(1.0, rechecks["招生计划未公开"].Similarity);
        Assert.Equal(LinkOutcome.Changed, rechecks["财政预算未公开"].Outcome);
        Assert.True(rechecks["财政预算未公开"].Similarity < 0.8);
        Assert.Contains("阈值", rechecks["财政预算未公开"].Detail);
        Assert.Equal(LinkOutcome.Gone, rechecks["政策解读缺失"].Outcome);
        Assert.Equal(404, rechecks["政策解读缺失"].StatusCode);
        Assert.Equal(["政策解读缺失", "财政预算未公开"], rechecks.Values.Where(c => c.IsRebound)
            .Select(c => rechecks.Single(kv => kv.Value == c).Key).Order());

        // Nothing is named again until the auditor says so; then the finding is 回头看 as 整改反弹, in a new preview.
        var notices = (IServiceProvider sp) => sp.GetRequiredService<NoticeService>();
        Assert.DoesNotContain((await _bed.WithAsync(sp => notices(sp).ContentAsync(second, Sample.Auditor))).FollowUpNotRectified,
            u => u.UnitName == "科技局");
        await _bed.WithAsync(sp => notices(sp).AddReboundAsync(second, rechecks["财政预算未公开"].Id, Sample.Auditor));
        var content = await _bed.WithAsync(sp => notices(sp).ContentAsync(second, Sample.Auditor));
        var line = Assert.Single(content.FollowUpNotRectified, u => u.UnitName == "科技局").Findings.Single();
        Assert.Equal(NoticeComposer.ReboundNote, line.Note);
        Assert.Contains(NoticeComposer.ReboundNote, await _bed.WithAsync(sp => notices(sp).BodyHtmlAsync(second, Sample.Auditor)));
        Assert.Empty(await _bed.WithAsync(sp => notices(sp).ChangesSincePreviewAsync(
            sp.GetRequiredService<Data.RectifyDb>().Set<Notice>().Include(n => n.Inspections).Single(n => n.Id == second))));

        // A kept page is no rebound.
        var refused = await Assert.ThrowsAsync<RectifyException>(() =>
            _bed.WithAsync(sp => notices(sp).AddReboundAsync(second, rechecks["招生计划未公开"].Id, Sample.Auditor)));
        Assert.Equal("notice.rebound_not_found", refused.Code);

        // Capture, re-check and the auditor's decision are in the finding's history.
        var findingId = await _bed.FindingIdAsync("财政预算未公开");
        var history = await _bed.Db.WithDbAsync(db => db.Set<AuditEvent>().Where(a => a.FindingId == findingId).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
        Assert.Contains("link.captured", history);
        Assert.Contains("link.recheck_rebound", history);
        Assert.Contains("finding.rebound_queued", history);
        Assert.True(history.IndexOf("link.captured") < history.IndexOf("link.recheck_rebound"));

        // Issuing publishes the follow-up with the rebound.
        var issued = await _bed.WithAsync(sp => notices(sp).IssueAsync(second, Sample.Auditor));
        Assert.True(issued.IsIssued);
    }

    private async Task ReportAndAcceptAsync(string description, string link)
    {
        var id = await _bed.FindingIdAsync(description);
        var unitId = await _bed.Db.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.UnitId).SingleAsync());
        var liaison = Sample.LiaisonOf(unitId);
        var report = await _bed.WithAsync(sp => sp.GetRequiredService<ReportService>()
            .SubmitAsync(id, new ReportForm("已在网站公开", true, [link]), [], liaison), liaison);
        await _bed.WithAsync(sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(id, report.Id, true, "整改到位", Sample.Auditor));
    }

    private Task<IReadOnlyList<RecheckRow>> RechecksAsync(int noticeId) =>
        _bed.WithAsync(sp => sp.GetRequiredService<LinkCaptureService>().RechecksAsync(noticeId));
}
