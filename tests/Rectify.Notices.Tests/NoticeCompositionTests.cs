using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Mail.Outbox;
using Rectify.Testing;

namespace Rectify.Notices.Tests;

/// <summary>
/// Two monthly notices modelled on seeds 000 and 004: the first publishes findings per unit, the second names
/// again the units that rectified late (教育局) or whose report came late or never (科技局, 卫健委).
/// </summary>
public sealed class NoticeCompositionTests : IAsyncLifetime
{
    private NoticeTestBed _bed = null!;
    private static readonly DateOnly FebDeadline = new(2026, 3, 13);
    private static readonly DateOnly MarDeadline = new(2026, 4, 10);
    private int _first;
    private int _second;

    public async Task InitializeAsync()
    {
        _bed = await NoticeTestBed.CreateAsync();
        var february = await _bed.InspectionAsync("2026年2月政务公开第三方检查", new(2026, 2, 1), new(2026, 2, 28),
            ("教育局", "主动公开", "招生计划目录本年度未更新", FebDeadline),
            ("科技局", "政策解读", "政策解读栏目无解读材料", FebDeadline),
            ("住交局", "主动公开", "住房保障信息未公开", FebDeadline),
            ("卫健委", "政务新媒体", "政务新媒体更新不及时", FebDeadline));
        _first = await _bed.DraftAsync("X政公办〔2026〕1号", new(2026, 3, 2), february);
        await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(_first, Sample.Auditor));

        await _bed.ReportAsync("住房保障信息未公开", At(3, 5), acceptAt: At(3, 6));       // on time: not named again
        await _bed.ReportAsync("招生计划目录本年度未更新", At(3, 10), acceptAt: At(3, 16)); // report on time, fixed late
        await _bed.ReportAsync("政务新媒体更新不及时", At(3, 17), acceptAt: null);         // report late
        // 科技局 never reports.

        _bed.Db.Clock.SetUtcNow(At(3, 20));
        var march = await _bed.InspectionAsync("2026年3月政务公开第三方检查", new(2026, 3, 1), new(2026, 3, 31),
            ("教育局", "政策解读", "政策文件未标注有效性", MarDeadline),
            ("马塘街道", "互动服务", "互动回应超过规定时限", MarDeadline));
        _second = await _bed.DraftAsync("X政公办〔2026〕2号", new(2026, 3, 20), march);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private static DateTimeOffset At(int month, int day) => new(2026, month, day, 2, 0, 0, TimeSpan.Zero); // 10:00 in Shanghai

    private Task<NoticeContent> ContentAsync(int id) => _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().ContentAsync(id, Sample.Auditor));

    [Fact]
    public async Task The_first_notice_lists_the_findings_by_unit_and_has_no_follow_up()
    {
        var content = await ContentAsync(_first);
        Assert.True(content.IsIssued);
        Assert.Equal(["教育局", "科技局", "住交局", "卫健委"], content.NewFindings.Select(u => u.UnitName));
        Assert.Equal(4, content.Basic.Findings);
        Assert.Equal(4, content.Basic.Units);
        Assert.Equal([("主动公开", 2), ("政策解读", 1), ("政务新媒体", 1)], content.Basic.ByCategory.Select(c => (c.Category, c.Count)));
        Assert.False(content.HasFollowUp);
        Assert.DoesNotContain("follow_up", content.Sections.Keys);
    }

    [Fact]
    public async Task The_second_notice_names_again_the_units_that_rectified_late_or_never_reported()
    {
        var content = await ContentAsync(_second);
        Assert.False(content.IsIssued);
        Assert.Equal(["教育局", "马塘街道"], content.NewFindings.Select(u => u.UnitName));
        Assert.Equal(["教育局"], content.FollowUpNotRectified.Select(u => u.UnitName));
        Assert.Equal("逾期完成整改", content.FollowUpNotRectified[0].Findings.Single().Note);
        Assert.Equal(["科技局", "卫健委"], content.FollowUpNoReport.Select(u => u.UnitName));
        Assert.Equal(["未提交整改报告", "整改报告逾期提交"], content.FollowUpNoReport.Select(u => u.Findings.Single().Note));
        Assert.DoesNotContain(content.FollowUpNotRectified.Concat(content.FollowUpNoReport), u => u.UnitName == "住交局");

        // Completion is cumulative over every published finding due by the cut-off: 住交局 fixed its one on time; this
        // notice's own new findings (due 4-10) are not in the table.
        var completion = content.Completion.ToDictionary(r => r.UnitName);
        Assert.Equal(["教育局", "科技局", "住交局", "卫健委"], content.Completion.Select(r => r.UnitName));
        Assert.Equal((1, 1, 1, 0, 100.0), (completion["教育局"].Findings, completion["教育局"].ReportsOnTime, completion["教育局"].Accepted, completion["教育局"].Overdue, completion["教育局"].Rate));
        Assert.Equal((1, 0, 0, 1, 0.0), (completion["科技局"].Findings, completion["科技局"].ReportsOnTime, completion["科技局"].Accepted, completion["科技局"].Overdue, completion["科技局"].Rate));
        Assert.Equal(100.0, completion["住交局"].Rate);
        Assert.Equal((4, 2, 50.0), (content.CompletionTotal.Findings, content.CompletionTotal.Accepted, content.CompletionTotal.Rate));
        Assert.Equal(["教育局", "科技局", "卫健委", "马塘街道"], content.Contacts.Select(c => c.UnitName));

        var html = await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().BodyHtmlAsync(_second, Sample.Auditor));
        var findings = html.IndexOf("二、检查发现的问题", StringComparison.Ordinal);
        var followUp = html.IndexOf("三、上期问题整改情况", StringComparison.Ordinal);
        var completionSection = html.IndexOf("四、各单位整改完成情况", StringComparison.Ordinal);
        Assert.True(findings > 0 && followUp > findings && completionSection > followUp, html);
        var newPart = html[findings..followUp];
        Assert.Contains("1、教育局：", newPart);
        Assert.Contains("2、马塘街道：", newPart);
        var followUpPart = html[followUp..completionSection];
        Assert.Contains("教育局对前期通报问题未按时整改到位", followUpPart);
        Assert.Contains("仍有科技局、卫健委等单位未按时提交整改报告", followUpPart);
        Assert.Contains("1、科技局：", followUpPart);
        Assert.Contains("2、卫健委：", followUpPart);
        Assert.DoesNotContain("住交局", followUpPart);
        Assert.Contains("X政公办〔2026〕2号", html);
        Assert.Contains("责任人联系表", html);
    }

    [Fact]
    public async Task Issuing_freezes_the_notice_starts_the_workflows_and_mails_each_unit_its_own_part()
    {
        var issued = await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(_second, Sample.Auditor));
        Assert.Equal(NoticeStatus.Issued, issued.Status);

        var (statuses, mails, links, figures) = await _bed.Db.WithDbAsync(async db => (
            await db.Set<Finding>().Where(f => f.Inspection!.Title.StartsWith("2026年3月")).Select(f => f.Status).ToListAsync(),
            await db.Set<OutboxMessage>().Where(m => m.NoticeId == _second).OrderBy(m => m.UnitId).ThenBy(m => m.RecipientKind).ToListAsync(),
            await db.Set<NoticeFinding>().Where(n => n.NoticeId == _second).ToListAsync(),
            await db.Set<NoticeUnitFigure>().Where(f => f.NoticeId == _second).OrderBy(f => f.UnitId).ToListAsync()));
        Assert.All(statuses, s => Assert.Equal(FindingStatus.Assigned, s));
        Assert.Equal(2, links.Count(l => l.Section == NoticeSection.New));
        Assert.Equal(3, links.Count(l => l.Section == NoticeSection.FollowUp));
        // The four units with findings due by the cut-off; 马塘街道's only finding is new and not due.
        Assert.Equal(4, figures.Count);

        // One mail per unit to its liaison; the units named again also go to their leader.
        var byUnit = mails.GroupBy(m => m.UnitId!.Value).ToDictionary(g => g.Key, g => g.Select(m => m.RecipientKind).Order().ToList());
        Assert.Equal(4, byUnit.Count);
        Assert.Equal([RecipientKind.Liaison, RecipientKind.Leader], byUnit[_bed.Units["教育局"]]);
        Assert.Equal([RecipientKind.Liaison, RecipientKind.Leader], byUnit[_bed.Units["科技局"]]);
        Assert.Equal([RecipientKind.Liaison], byUnit[_bed.Units["马塘街道"]]);
        var maTang = mails.Single(m => m.UnitId == _bed.Units["马塘街道"]);
        Assert.Equal(OutboxStatus.Pending, maTang.Status);
        // The mails as they will be sent (rendered by the sender from what was queued at the issue).
        var composer = _bed.Db.Services.GetRequiredService<MailComposer>();
        var maTangMail = await composer.ComposeAsync([maTang]);
        Assert.Contains("X政公办〔2026〕2号", maTangMail.Subject);
        Assert.Contains("互动回应超过规定时限", maTangMail.TextBody);
        Assert.DoesNotContain("政策文件未标注有效性", maTangMail.TextBody);
        Assert.Contains("互动回应超过规定时限", maTangMail.HtmlBody);
        var science = await composer.ComposeAsync([mails.First(m => m.UnitId == _bed.Units["科技局"])]);
        Assert.Contains("政策解读栏目无解读材料", science.TextBody);
        Assert.Contains("再次通报", science.TextBody);
    }

    [Fact]
    public async Task An_issued_notice_cannot_be_edited_or_issued_again_and_its_figures_do_not_move()
    {
        await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(_second, Sample.Auditor));
        var before = await ContentAsync(_second);
        var htmlBefore = await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().BodyHtmlAsync(_second, Sample.Auditor));
        var docxBefore = await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().DocxAsync(_second, Sample.Auditor));

        var again = await Assert.ThrowsAsync<RectifyException>(() => _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(_second, Sample.Auditor)));
        Assert.Equal("notice.already_issued", again.Code);
        var edit = await Assert.ThrowsAsync<RectifyException>(() => _bed.WithAsync(async sp =>
        {
            var notices = sp.GetRequiredService<NoticeService>();
            return await notices.UpdateDraftAsync(_second, notices.NewDraft([], new(2026, 3, 1), new(2026, 3, 31), "区政务公开办") with { Number = "X政公办〔2026〕2号" }, Sample.Auditor);
        }));
        Assert.Equal("notice.issued_readonly", edit.Code);
        var delete = await Assert.ThrowsAsync<RectifyException>(() => _bed.WithAsync(async sp => { await sp.GetRequiredService<NoticeService>().DeleteDraftAsync(_second, Sample.Auditor); return 0; }));
        Assert.Equal("notice.issued_readonly", delete.Code);

        // Later: 卫健委's late report is accepted, 科技局 is renamed, a finding's text is edited.
        _bed.Db.Clock.SetUtcNow(At(3, 25));
        var lateId = await _bed.FindingIdAsync("政务新媒体更新不及时");
        var reportId = await _bed.Db.WithDbAsync(db => db.Set<Rectify.Reports.RectificationReport>().Where(r => r.FindingId == lateId).Select(r => r.Id).SingleAsync());
        await _bed.WithAsync(sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(lateId, reportId, true, "整改到位", Sample.Auditor));
        await _bed.Db.WithDbAsync(async db =>
        {
            var unit = await db.Set<Rectify.Units.Unit>().SingleAsync(u => u.Name == "科技局");
            unit.Name = "科学技术局";
            var finding = await db.Set<Finding>().SingleAsync(f => f.Description == "互动回应超过规定时限");
            finding.Description = "已改写的描述";
            return await db.SaveChangesAsync();
        });

        var after = await ContentAsync(_second);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(before), System.Text.Json.JsonSerializer.Serialize(after));
        Assert.Equal(htmlBefore, await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().BodyHtmlAsync(_second, Sample.Auditor)));
        Assert.Equal(DocumentXml(docxBefore), DocumentXml(await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().DocxAsync(_second, Sample.Auditor))));
        var frozen = await _bed.Db.WithDbAsync(db => db.Set<NoticeUnitFigure>().Where(f => f.NoticeId == _second && f.UnitName == "卫健委").SingleAsync());
        Assert.Equal(0.0, frozen.CompletionRate);

        // The live data did change: a new draft sees 卫健委 at 100 % and the new name.
        var third = await _bed.DraftAsync("X政公办〔2026〕3号", new(2026, 3, 25));
        var live = await ContentAsync(third);
        Assert.Equal(100.0, live.Completion.Single(r => r.UnitName == "卫健委").Rate);
        Assert.Contains(live.FollowUpNoReport, u => u.UnitName == "科学技术局");
        // Named once already for fixing late, 教育局's February finding is not named again.
        Assert.DoesNotContain(live.FollowUpNotRectified, u => u.UnitName == "教育局");
    }

    private static string DocumentXml(byte[] docx)
    {
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(docx));
        using var reader = new StreamReader(zip.GetEntry("word/document.xml")!.Open());
        // Relationship ids are random per package; everything else must be identical.
        return System.Text.RegularExpressions.Regex.Replace(reader.ReadToEnd(), "r:id=\"[^\"]*\"", "");
    }

    [Fact]
    public async Task The_dashboard_series_has_each_units_rate_across_issued_notices()
    {
        await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(_second, Sample.Auditor));
        var series = await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().CompletionSeriesAsync());
        Assert.Equal(["X政公办〔2026〕1号", "X政公办〔2026〕2号"], series.Notices.Select(n => n.Number));
        // The first notice had nothing due at its cut-off, so no unit has a figure there.
        var education = series.Units.Single(u => u.UnitName == "教育局");
        Assert.Equal([(_second, 100.0)], education.Points.Select(p => (p.NoticeId, p.Rate)));
        var science = series.Units.Single(u => u.UnitName == "科技局");
        Assert.Equal([(_second, 0.0)], science.Points.Select(p => (p.NoticeId, p.Rate)));
        var svg = CompletionChart.Svg(series);
        Assert.StartsWith("<svg", svg);
        Assert.Contains("住交局", svg);
        System.Xml.Linq.XElement.Parse(svg);
    }

    [Fact]
    public async Task Liaisons_see_only_issued_notices_and_cannot_draft()
    {
        var liaison = Sample.LiaisonOf(_bed.Units["教育局"]);
        var visible = await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().ListAsync(liaison), liaison);
        Assert.Equal([_first], visible.Select(n => n.Id));
        var hidden = await Assert.ThrowsAsync<RectifyException>(() => _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().ContentAsync(_second, liaison), liaison));
        Assert.Equal(RectifyErrorKind.NotFound, hidden.Kind);
        var forbidden = await Assert.ThrowsAsync<RectifyException>(() => _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(_second, liaison), liaison));
        Assert.Equal(RectifyErrorKind.Forbidden, forbidden.Kind);
    }
}
