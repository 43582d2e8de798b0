using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Reports;
using Rectify.Testing;

namespace Rectify.Notices.Tests;

/// <summary>
/// A notice's preview is what gets issued: its cut-off is fixed when composed, issuing refuses when the data moved
/// since, the completion table counts only findings due by the cut-off, and an inspection is published once.
/// </summary>
public sealed class NoticePreviewTests : IAsyncLifetime
{
    private static readonly DateOnly FebDeadline = new(2026, 3, 13);
    private NoticeTestBed _bed = null!;
    private int _february;
    private int _first;

    public async Task InitializeAsync()
    {
        _bed = await NoticeTestBed.CreateAsync();
        _february = await _bed.InspectionAsync("2026年2月政务公开第三方检查", new(2026, 2, 1), new(2026, 2, 28),
            ("教育局", "主动公开", "招生计划目录本年度未更新", FebDeadline),
            ("科技局", "政策解读", "政策解读栏目无解读材料", FebDeadline),
            ("住交局", "主动公开", "住房保障信息未公开", FebDeadline),
            ("卫健委", "政务新媒体", "政务新媒体更新不及时", new DateOnly(2026, 4, 30)));
        _first = await _bed.DraftAsync("X政公办〔2026〕1号", new(2026, 3, 2), _february);
        await Notices(n => n.IssueAsync(_first, Sample.Auditor));
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private static DateTimeOffset At(int month, int day) => new(2026, month, day, 2, 0, 0, TimeSpan.Zero); // 10:00 in Shanghai

    private Task<T> Notices<T>(Func<NoticeService, Task<T>> work) => _bed.WithAsync(sp => work(sp.GetRequiredService<NoticeService>()));

    private async Task<int> SubmitAsync(string description, DateTimeOffset at)
    {
        var id = await _bed.FindingIdAsync(description);
        var unitId = await _bed.Db.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.UnitId).SingleAsync());
        _bed.Db.Clock.SetUtcNow(at);
        var liaison = Sample.LiaisonOf(unitId);
        var report = await _bed.WithAsync(sp => sp.GetRequiredService<FindingLifecycle>()
            .SubmitReportAsync(id, new ReportContent("已更新栏目内容", true, ["https://www.example.gov.cn/xxgk/1.html"], []), liaison), liaison);
        return report.Id;
    }

    private Task AcceptAsync(string description, int reportId, DateTimeOffset at) => _bed.WithAsync(async sp =>
    {
        _bed.Db.Clock.SetUtcNow(at);
        var id = await _bed.FindingIdAsync(description);
        return await sp.GetRequiredService<FindingLifecycle>().ReviewAsync(id, reportId, true, "整改到位", Sample.Auditor);
    });

    [Fact]
    public async Task The_issued_notice_is_the_preview_byte_for_byte_and_a_report_accepted_since_refuses_issuing_until_recomposed()
    {
        var report = await SubmitAsync("住房保障信息未公开", At(3, 10));
        _bed.Db.Clock.SetUtcNow(At(3, 16));
        var march = await _bed.InspectionAsync("2026年3月检查", new(2026, 3, 1), new(2026, 3, 31), ("马塘街道", "互动服务", "互动回应超过规定时限", new DateOnly(2026, 4, 10)));
        var id = await _bed.DraftAsync("X政公办〔2026〕2号", new(2026, 3, 20), march);
        var draft = await Notices(n => n.GetAsync(id, Sample.Auditor));
        Assert.Equal(At(3, 16), draft.CutOff);
        var previewHtml = await Notices(n => n.BodyHtmlAsync(id, Sample.Auditor));
        Assert.Contains("截至2026年3月16日", previewHtml);

        // Two days later, still before issuing, 住交局's report is accepted: the preview no longer holds.
        await AcceptAsync("住房保障信息未公开", report, At(3, 18));
        var refused = await Assert.ThrowsAsync<RectifyException>(() => Notices(n => n.IssueAsync(id, Sample.Auditor)));
        Assert.Equal("notice.changed_since_preview", refused.Code);
        Assert.Contains(refused.Details, d => d.StartsWith("整改完成情况 住交局", StringComparison.Ordinal) && d.Contains("已整改0个") && d.Contains("已整改1个"));
        Assert.Equal(NoticeStatus.Draft, (await Notices(n => n.GetAsync(id, Sample.Auditor))).Status);
        Assert.Equal(0, await _bed.Db.WithDbAsync(db => db.Set<Finding>().CountAsync(f => f.InspectionId == march && f.Status != FindingStatus.Draft)));

        // Recomposed at 3-18: the auditor previews the new text, and exactly that is issued.
        await Notices(n => n.RecomposeAsync(id, Sample.Auditor));
        Assert.Empty(await Notices(async n => await n.ChangesSincePreviewAsync(await n.GetAsync(id, Sample.Auditor))));
        var html = await Notices(n => n.BodyHtmlAsync(id, Sample.Auditor));
        var docx = await Notices(n => n.DocxAsync(id, Sample.Auditor));
        var page = await Notices(n => n.PageHtmlAsync(id, Sample.Auditor));
        Assert.Contains("截至2026年3月18日", html);
        _bed.Db.Clock.SetUtcNow(At(3, 19));
        await Notices(n => n.IssueAsync(id, Sample.Auditor));

        Assert.Equal(html, await Notices(n => n.BodyHtmlAsync(id, Sample.Auditor)));
        // The page as previewed, plus the footer with the audit chain's head, known only once issued.
        var issuedPage = await Notices(n => n.PageHtmlAsync(id, Sample.Auditor));
        var footer = System.Text.RegularExpressions.Regex.Match(issuedPage, "<footer class=\"audit-anchor\">.*?</footer>\n").Value;
        Assert.Equal(page, issuedPage.Replace(footer, ""));
        Assert.Equal(Part(docx, "word/document.xml"), Part(await Notices(n => n.DocxAsync(id, Sample.Auditor)), "word/document.xml"));
        var issued = await Notices(n => n.GetAsync(id, Sample.Auditor));
        Assert.Contains(issued.AuditHeadHash!, footer);
        Assert.Equal(At(3, 18), issued.CutOff);
        Assert.Equal(At(3, 19), issued.IssuedAt);
        Assert.Equal(FindingStatus.Assigned, await _bed.Db.WithDbAsync(db => db.Set<Finding>().Where(f => f.InspectionId == march).Select(f => f.Status).SingleAsync()));
    }

    [Fact]
    public async Task A_preview_composed_at_a_real_clock_instant_issues_as_previewed()
    {
        // A real clock has ticks below the millisecond that SQLite does not store: composed again at the stored
        // cut-off, the notice must still be the one previewed.
        var at = At(3, 16) + TimeSpan.FromTicks(3_631_416);
        _bed.Db.Clock.SetUtcNow(at);
        var march = await _bed.InspectionAsync("2026年3月检查", new(2026, 3, 1), new(2026, 3, 31), ("马塘街道", "互动服务", "互动回应超过规定时限", new DateOnly(2026, 4, 10)));
        var id = await _bed.DraftAsync("X政公办〔2026〕2号", new(2026, 3, 20), march);
        Assert.Empty(await Notices(async n => await n.ChangesSincePreviewAsync(await n.GetAsync(id, Sample.Auditor))));
        var html = await Notices(n => n.BodyHtmlAsync(id, Sample.Auditor));

        await Notices(n => n.IssueAsync(id, Sample.Auditor));
        var issued = await Notices(n => n.GetAsync(id, Sample.Auditor));
        Assert.Equal(NoticeStatus.Issued, issued.Status);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()), issued.CutOff);
        Assert.Equal(html, await Notices(n => n.BodyHtmlAsync(id, Sample.Auditor)));
    }

    [Fact]
    public async Task A_working_day_draft_in_a_notice_is_printed_with_the_date_it_gets_at_issue_and_a_preview_of_an_earlier_day_is_refused()
    {
        var calendar = _bed.Db.Services.GetRequiredService<Rectify.Time.WorkingDayCalendar>();
        _bed.Db.Clock.SetUtcNow(At(3, 16));
        var march = await _bed.InspectionAsync("2026年3月检查", new(2026, 3, 1), new(2026, 3, 31), ("马塘街道", "互动服务", "互动回应超过规定时限", new DateOnly(2026, 3, 16)));
        var findingId = await _bed.FindingIdAsync("互动回应超过规定时限");
        // As the .xlsx import leaves it: "5个工作日" on the draft, its stored date counted from the import day.
        await _bed.Db.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == findingId)
            .ExecuteUpdateAsync(u => u.SetProperty(f => f.DeadlineWorkingDays, 5).SetProperty(f => f.Deadline, new DateOnly(2026, 3, 9))));
        var id = await _bed.DraftAsync("X政公办〔2026〕2号", new(2026, 3, 20), march);

        // Composed on Mon 03-16: five working days from Tue 03-17 is Mon 03-23, the date it gets if issued today.
        var previewed = (await Notices(n => n.ContentAsync(id, Sample.Auditor))).NewFindings.Single().Findings.Single();
        Assert.Equal(calendar.Add(new DateOnly(2026, 3, 16), Rectify.Time.WorkingDays.After(5)), previewed.Deadline);
        Assert.Equal(new DateOnly(2026, 3, 23), previewed.Deadline);

        // Issued a day later, the finding would track 03-24: the preview no longer holds, and issuing says so.
        _bed.Db.Clock.SetUtcNow(At(3, 17));
        var refused = await Assert.ThrowsAsync<RectifyException>(() => Notices(n => n.IssueAsync(id, Sample.Auditor)));
        Assert.Equal("notice.changed_since_preview", refused.Code);
        Assert.Contains(refused.Details, d => d.StartsWith("本期问题内容有变化", StringComparison.Ordinal) && d.Contains("互动回应超过规定时限"));
        Assert.Equal(FindingStatus.Draft, await _bed.Db.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == findingId).Select(f => f.Status).SingleAsync()));

        await Notices(n => n.RecomposeAsync(id, Sample.Auditor));
        await Notices(n => n.IssueAsync(id, Sample.Auditor));

        var issued = await Notices(n => n.ContentAsync(id, Sample.Auditor));
        var finding = await _bed.Db.WithDbAsync(db => db.Set<Finding>().SingleAsync(f => f.Id == findingId));
        Assert.Equal((new DateOnly(2026, 3, 24), (int?)null, FindingStatus.Assigned), (finding.Deadline, finding.DeadlineWorkingDays, finding.Status));
        Assert.Equal(finding.Deadline, issued.NewFindings.Single().Findings.Single().Deadline);
        Assert.Contains("2026年3月24日", await Notices(n => n.BodyHtmlAsync(id, Sample.Auditor)));
    }

    [Fact]
    public async Task Issuing_a_notice_with_a_past_deadline_is_refused_naming_the_finding_and_its_confirmation_warns_first()
    {
        _bed.Db.Clock.SetUtcNow(At(3, 16));
        var march = await _bed.InspectionAsync("2026年3月检查", new(2026, 3, 1), new(2026, 3, 31),
            ("马塘街道", "互动服务", "互动回应超过规定时限", new DateOnly(2026, 3, 13)),
            ("教育局", "政策解读", "政策文件未标注有效性", new DateOnly(2026, 4, 10)));
        var past = await _bed.FindingIdAsync("互动回应超过规定时限");
        var id = await _bed.DraftAsync("X政公办〔2026〕2号", new(2026, 3, 20), march);

        var warnings = await Notices(async n => await n.IssueWarningsAsync(await n.GetAsync(id, Sample.Auditor)));
        var warning = Assert.Single(warnings);
        Assert.Contains($"问题 #{past}（马塘街道）", warning.Message);
        Assert.Contains("2026-03-13", warning.Message);

        var refused = await Assert.ThrowsAsync<RectifyException>(() => Notices(n => n.IssueAsync(id, Sample.Auditor)));
        Assert.Equal("finding.deadline_past", refused.Code);
        Assert.Contains($"问题 #{past}（马塘街道）", refused.Message);
        Assert.Equal(NoticeStatus.Draft, (await Notices(n => n.GetAsync(id, Sample.Auditor))).Status);
        Assert.Equal(0, await _bed.Db.WithDbAsync(db => db.Set<Finding>().CountAsync(f => f.InspectionId == march && f.Status != FindingStatus.Draft)));
    }

    [Fact]
    public async Task A_draft_dated_before_its_cut_off_is_refused()
    {
        _bed.Db.Clock.SetUtcNow(At(3, 11));
        var march = await _bed.InspectionAsync("2026年3月检查", new(2026, 3, 1), new(2026, 3, 31), ("马塘街道", "互动服务", "互动回应超过规定时限", new DateOnly(2026, 4, 10)));
        var refused = await Assert.ThrowsAsync<RectifyException>(() => _bed.DraftAsync("X政公办〔2026〕2号", new(2026, 3, 8), march));
        Assert.Equal("notice.date_before_cutoff", refused.Code);
        Assert.Contains("2026年3月8日", refused.Message);
    }

    [Fact]
    public async Task The_completion_table_counts_only_findings_due_by_the_cut_off_with_both_rates_as_defined()
    {
        var housing = await SubmitAsync("住房保障信息未公开", At(3, 10));          // on time, accepted
        await AcceptAsync("住房保障信息未公开", housing, At(3, 11));
        var education = await SubmitAsync("招生计划目录本年度未更新", At(3, 16)); // late, accepted
        await AcceptAsync("招生计划目录本年度未更新", education, At(3, 17));
        // 科技局 never reports; 卫健委's finding is due 4-30: not due at the cut-off, not in the table.
        _bed.Db.Clock.SetUtcNow(At(3, 20));
        var march = await _bed.InspectionAsync("2026年3月检查", new(2026, 3, 1), new(2026, 3, 31),
            ("马塘街道", "互动服务", "互动回应超过规定时限", new DateOnly(2026, 4, 10)),
            ("教育局", "政策解读", "政策文件未标注有效性", new DateOnly(2026, 3, 20)));
        var id = await _bed.DraftAsync("X政公办〔2026〕2号", new(2026, 3, 20), march);
        var content = await Notices(n => n.ContentAsync(id, Sample.Auditor));

        Assert.Equal(["教育局", "科技局", "住交局"], content.Completion.Select(r => r.UnitName));
        var rows = content.Completion.ToDictionary(r => r.UnitName);
        Assert.Equal((1, 1, 0, 0, 100.0, 0.0), (rows["教育局"].Findings, rows["教育局"].Accepted, rows["教育局"].AcceptedOnTime, rows["教育局"].Overdue, rows["教育局"].Rate, rows["教育局"].OnTimeRate));
        Assert.Equal((1, 0, 0, 1, 0.0, 0.0), (rows["科技局"].Findings, rows["科技局"].Accepted, rows["科技局"].AcceptedOnTime, rows["科技局"].Overdue, rows["科技局"].Rate, rows["科技局"].OnTimeRate));
        Assert.Equal((1, 1, 1, 0, 100.0, 100.0), (rows["住交局"].Findings, rows["住交局"].Accepted, rows["住交局"].AcceptedOnTime, rows["住交局"].Overdue, rows["住交局"].Rate, rows["住交局"].OnTimeRate));
        var total = content.CompletionTotal;
        Assert.Equal((3, 2, 1, 1, 66.7, 33.3), (total.Findings, total.Accepted, total.AcceptedOnTime, total.Overdue, total.Rate, total.OnTimeRate));
        // The notice's own new findings (even one due on the cut-off day) are published, not counted.
        Assert.Equal(2, content.Basic.Findings);
        var html = await Notices(n => n.BodyHtmlAsync(id, Sample.Auditor));
        Assert.Contains("整改完成率为66.7%，按时整改率为33.3%", html);
        // The first notice had nothing due at its cut-off: an empty table, and no rate of nothing.
        var first = await Notices(n => n.ContentAsync(_first, Sample.Auditor));
        Assert.Equal((0, "—"), (first.CompletionTotal.Findings, first.CompletionTotal.RateText));
        Assert.Empty(first.Completion);
        Assert.Contains("截至2026年3月2日，前期通报问题均未到整改期限。", await Notices(n => n.BodyHtmlAsync(_first, Sample.Auditor)));
        var table = html[html.IndexOf("<table class=\"completion\">", StringComparison.Ordinal)..];
        Assert.DoesNotContain("马塘街道", table[..table.IndexOf("</table>", StringComparison.Ordinal)]);
    }

    [Fact]
    public async Task A_fully_issued_inspection_is_not_offered_and_a_partly_issued_one_gives_only_its_unissued_findings()
    {
        var offered = await _bed.WithAsync(sp => sp.GetRequiredService<InspectionService>().ListAsync(Sample.Auditor));
        Assert.Equal((4, 0), offered.Where(i => i.Id == _february).Select(i => (i.Findings, i.Unissued)).Single());
        var refused = await Assert.ThrowsAsync<RectifyException>(() => _bed.DraftAsync("X政公办〔2026〕2号", new(2026, 3, 20), _february));
        Assert.Equal("notice.inspection_issued", refused.Code);

        // A finding added to February after its notice: the inspection is partly issued, and offers that one only.
        await _bed.Db.WithDbAsync(async db =>
        {
            db.Add(new Finding
            {
                InspectionId = _february, UnitId = _bed.Units["马塘街道"], CategoryId = _bed.Categories["互动服务"],
                Description = "补录：留言办理超期", Requirement = "按时办理", Deadline = new DateOnly(2026, 4, 10), CreatedAt = db.Time.GetUtcNow(),
            });
            return await db.SaveChangesAsync();
        });
        offered = await _bed.WithAsync(sp => sp.GetRequiredService<InspectionService>().ListAsync(Sample.Auditor));
        Assert.Equal((5, 1), offered.Where(i => i.Id == _february).Select(i => (i.Findings, i.Unissued)).Single());
        var id = await _bed.DraftAsync("X政公办〔2026〕2号", new(2026, 3, 20), _february);
        var content = await Notices(n => n.ContentAsync(id, Sample.Auditor));
        Assert.Equal(["补录：留言办理超期"], content.NewFindings.SelectMany(u => u.Findings).Select(f => f.Description));
        await Notices(n => n.IssueAsync(id, Sample.Auditor));
        var links = await _bed.Db.WithDbAsync(db => db.Set<NoticeFinding>().Where(l => l.NoticeId == id && l.Section == NoticeSection.New).CountAsync());
        Assert.Equal(1, links);
    }

    private static string Part(byte[] docx, string name)
    {
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(docx));
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }
}
