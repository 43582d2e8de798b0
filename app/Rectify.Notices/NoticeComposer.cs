using Microsoft.EntityFrameworkCore;
using Rectify.Captures;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Time;
using Rectify.Units;

namespace Rectify.Notices;

/// <summary>
/// Fills a notice from the data as it stands, with its figures taken at the cut-off (截至): the still unissued findings
/// of its inspections by unit, the follow-up (回头看) of earlier notices' findings, the completion table and the
/// responsible-person table.
/// </summary>
public sealed class NoticeComposer(RectifyDb db, OfficeClock clock, FindingDeadline deadlines)
{
    private static readonly char[] SentenceEnds = ['。', '；', ';', '.', ' ', '，', ','];
    private static readonly string[] Numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

    public async Task<NoticeContent> ComposeAsync(Notice notice, DateTimeOffset cutOff, CancellationToken ct = default)
    {
        var today = DateOnly.FromDateTime(clock.ToLocal(cutOff).DateTime);
        var inspectionIds = notice.Inspections.Select(i => i.InspectionId).ToList();
        var findings = db.Set<Finding>().AsNoTracking();
        // A notice's list is written while it is 印发中 and counts from the moment it is issued.
        var earlier = db.Set<NoticeFinding>().Where(nf => nf.NoticeId != notice.Id && db.Set<Notice>().Any(n => n.Id == nf.NoticeId && n.Status == NoticeStatus.Issued));

        // A notice publishes only what no notice published yet (a partly issued inspection gives its remaining
        // drafts); a correction publishes again what the notice it corrects published.
        var corrected = db.Set<NoticeFinding>().Where(nf => nf.NoticeId == notice.CorrectsNoticeId && nf.Section == NoticeSection.New);
        var fresh = await Facts(notice.Id, findings.Where(f => inspectionIds.Contains(f.InspectionId) &&
                (f.Status == FindingStatus.Draft || corrected.Any(nf => nf.FindingId == f.Id))))
            .ToListAsync(ct);
        // A working-day draft prints the date it gets if issued today (not at the cut-off), so that a preview composed
        // on an earlier day differs from the notice composed again at issue, and issuing refuses instead of printing
        // a date the finding will not track.
        foreach (var f in fresh.Where(f => f.Status == FindingStatus.Draft && f.DeadlineWorkingDays is not null))
            f.Deadline = deadlines.IfIssuedToday(f.DeadlineWorkingDays!.Value);
        var followUpCandidates = await Facts(notice.Id, findings.Where(f =>
                f.Status != FindingStatus.Draft && !corrected.Any(nf => nf.FindingId == f.Id) &&
                (f.QueuedForFollowUp || earlier.Any(nf => nf.FindingId == f.Id))))
            .ToListAsync(ct);
        var alreadyNamed = (await earlier.Where(nf => nf.Section == NoticeSection.FollowUp).Select(nf => nf.FindingId).Distinct().ToListAsync(ct))
            .ToHashSet();
        // Completion is cumulative over every finding an issued notice published, but counts only those due by the
        // cut-off: a finding whose deadline has not passed (this notice's own new ones included) cannot be late yet.
        var published = await Facts(notice.Id, findings.Where(f =>
                f.Status != FindingStatus.Draft && earlier.Any(nf => nf.FindingId == f.Id && nf.Section == NoticeSection.New)))
            .ToListAsync(ct);

        var followUp = followUpCandidates.Where(f => IsFollowUp(f, today, alreadyNamed)).ToList();
        var unitIds = fresh.Concat(followUp).Concat(published).Select(f => f.UnitId).ToHashSet();
        var units = (await db.Set<Unit>().AsNoTracking().Where(u => unitIds.Contains(u.Id)).ToListAsync(ct))
            .OrderBy(u => u.SortOrder).ThenBy(u => u.Id).ToList();
        var unitOrder = units.Select((u, i) => (u.Id, i)).ToDictionary(x => x.Id, x => x.i);

        var newByUnit = ByUnit(fresh, units, _ => "");
        var noReport = ByUnit(followUp.Where(f => !f.AnyReportOnTime && !f.Rebound).ToList(), units,
            f => f.AnyReport ? "整改报告逾期提交" : "未提交整改报告");
        var notRectified = ByUnit(followUp.Where(f => f.AnyReportOnTime || f.Rebound).ToList(), units,
            f => f.Rebound ? ReboundNote : f.Status == FindingStatus.Accepted ? "逾期完成整改" : "逾期未整改到位");

        var completionFacts = published.Where(f => clock.EndOf(f.Deadline) <= cutOff).ToList();
        var completion = completionFacts.GroupBy(f => f.UnitId)
            .OrderBy(g => unitOrder[g.Key])
            .Select((g, i) => Row(i + 1, g.Key, units[unitOrder[g.Key]].Name, g.ToList()))
            .ToList();
        var total = Row(0, 0, "合计", completionFacts);

        var involved = newByUnit.Select(u => u.UnitId).Concat(notRectified.Select(u => u.UnitId)).Concat(noReport.Select(u => u.UnitId)).ToHashSet();
        var contacts = units.Where(u => involved.Contains(u.Id)).Select((u, i) => new ContactRow
        {
            Index = i + 1,
            UnitName = u.Name,
            LeaderName = u.Leader.Name,
            LeaderTitle = u.Leader.Title,
            LeaderPhone = u.Leader.Phone,
            LiaisonName = u.Liaison.Name,
            LiaisonPhone = u.Liaison.Phone,
            LiaisonEmail = u.Liaison.Email,
        }).ToList();

        var corrects = notice.CorrectsNoticeId is { } correctsId
            ? await db.Set<Notice>().AsNoTracking().Where(n => n.Id == correctsId).Select(n => new { n.Number, n.Title }).FirstOrDefaultAsync(ct)
            : null;
        var periodText = PeriodText(notice.PeriodStart, notice.PeriodEnd);
        var hasFollowUp = noReport.Count > 0 || notRectified.Count > 0;
        var namedAgain = noReport.Concat(notRectified).Select(u => u.UnitId).ToHashSet();
        var sectionKeys = new List<string> { "basic", "findings" };
        if (hasFollowUp)
            sectionKeys.Add("follow_up");
        sectionKeys.AddRange(["completion", "requirements"]);

        return new NoticeContent
        {
            NoticeId = notice.Id,
            Title = notice.Title,
            Number = notice.Number,
            Office = notice.Office,
            Addressees = notice.Addressees,
            Date = notice.Date,
            DateText = DateText(notice.Date),
            PeriodText = periodText,
            Introduction = notice.Introduction is { Length: > 0 } intro
                ? intro
                : $"为进一步推进政务公开工作，{notice.Office}对{periodText}各单位政务公开工作情况进行了检查{(hasFollowUp ? "，并对前期通报问题的整改情况开展了“回头看”" : "")}。现将有关情况通报如下：",
            AsOf = cutOff,
            AsOfText = DateText(today),
            CorrectsNumber = corrects?.Number,
            CorrectsTitle = corrects?.Title,
            Basic = new BasicFigures
            {
                Findings = fresh.Count,
                Units = newByUnit.Count,
                ByCategory = fresh.GroupBy(f => (f.CategorySort, f.Category)).OrderBy(g => g.Key.CategorySort).ThenBy(g => g.Key.Category, StringComparer.Ordinal)
                    .Select(g => new CategoryCount(g.Key.Category, g.Count())).ToList(),
            },
            NewFindings = newByUnit,
            FollowUpNotRectified = notRectified,
            FollowUpNoReport = noReport,
            Completion = completion,
            CompletionTotal = total,
            // 表扬 (seed 004 names the units that did well): every finding due by the cut-off rectified with its report in
            // time, and none of them named again in this notice's 回头看 (fixed late).
            Praised = completion.Where(r => r.Findings > 0 && r.AcceptedOnTime == r.Findings && !namedAgain.Contains(r.UnitId))
                .Select(r => r.UnitName).ToList(),
            Requirements = Lines(notice.Requirements),
            Attachments = Lines(notice.Attachments),
            Contacts = contacts,
            ContactLine = notice.ContactLine,
            Sections = sectionKeys.Select((k, i) => (k, Numerals[i])).ToDictionary(x => x.k, x => x.Item2),
        };
    }

    /// <summary>
    /// 回头看: open past the deadline (named again at every notice until fixed), or fixed late / escalated
    /// (named once), or a rebound the auditor added to this notice.
    /// </summary>
    private bool IsFollowUp(FindingFacts f, DateOnly today, HashSet<int> alreadyNamed)
    {
        if (f.Rebound)
            return true;
        if (f.Status != FindingStatus.Accepted)
            return f.IsOverdue || f.QueuedForFollowUp || today > f.Deadline;
        var acceptedLate = f.AcceptedAt >= clock.EndOf(f.Deadline) || !f.AnyReportOnTime;
        return (acceptedLate || f.QueuedForFollowUp) && !alreadyNamed.Contains(f.Id);
    }

    private static List<UnitFindings> ByUnit(List<FindingFacts> facts, List<Unit> units, Func<FindingFacts, string> note)
    {
        var byUnit = facts.ToLookup(f => f.UnitId);
        return units.Where(u => byUnit.Contains(u.Id)).Select((u, i) => new UnitFindings
        {
            Index = i + 1,
            UnitId = u.Id,
            UnitName = u.Name,
            Findings = byUnit[u.Id].OrderBy(f => f.CategorySort).ThenBy(f => f.Id).Select((f, j) => new FindingLine
            {
                Index = j + 1,
                FindingId = f.Id,
                Category = f.Category,
                Location = f.Location,
                // The template adds its own punctuation between the parts.
                Description = f.Description.TrimEnd(SentenceEnds),
                Requirement = f.Requirement.TrimEnd(SentenceEnds),
                Deadline = f.Deadline,
                DeadlineText = DateText(f.Deadline),
                Note = note(f),
            }).ToList(),
        }).ToList();
    }

    /// <summary>
    /// One row over findings due by the cut-off: 整改完成率 = accepted ÷ due; 按时整改率 = those whose accepted report
    /// was submitted by the deadline ÷ due; every due finding not accepted is overdue.
    /// </summary>
    private static CompletionRow Row(int index, int unitId, string name, List<FindingFacts> due)
    {
        var accepted = due.Count(f => f.Status == FindingStatus.Accepted);
        var onTime = due.Count(f => f.Status == FindingStatus.Accepted && f.AcceptedReportOnTime);
        return new CompletionRow
        {
            Index = index,
            UnitId = unitId,
            UnitName = name,
            Findings = due.Count,
            ReportsOnTime = due.Count(f => f.AnyReportOnTime),
            Accepted = accepted,
            AcceptedOnTime = onTime,
            Overdue = due.Count - accepted,
            Rate = Percent(accepted, due.Count),
            OnTimeRate = Percent(onTime, due.Count),
        };

        static double Percent(int part, int whole) => whole == 0 ? 0 : Math.Round(100.0 * part / whole, 1);
    }

    /// <summary>The note of a finding the auditor put into the follow-up because its corrected page is gone or changed.</summary>
    public const string ReboundNote = "整改反弹：整改后页面已失效或内容已改变";

    private IQueryable<FindingFacts> Facts(int noticeId, IQueryable<Finding> findings) => findings.Select(f => new FindingFacts
    {
        Rebound = db.Set<LinkCapture>().Any(c => c.FindingId == f.Id && c.NoticeId == noticeId && c.AddedToFollowUp),
        Id = f.Id,
        UnitId = f.UnitId,
        Category = f.Category!.Name,
        CategorySort = f.Category.SortOrder,
        Location = f.Location,
        Description = f.Description,
        Requirement = f.Requirement,
        Deadline = f.Deadline,
        DeadlineWorkingDays = f.DeadlineWorkingDays,
        Status = f.Status,
        IsOverdue = f.IsOverdue,
        QueuedForFollowUp = f.QueuedForFollowUp,
        AcceptedAt = f.AcceptedAt,
        // A report the unit withdrew was taken back: it counts as none.
        AnyReport = f.Reports.Any(r => r.Decision != ReviewDecision.Withdrawn),
        AnyReportOnTime = f.Reports.Any(r => r.Decision != ReviewDecision.Withdrawn && r.SubmittedOnTime),
        AcceptedReportOnTime = f.Reports.Any(r => r.Decision == ReviewDecision.Accepted && r.SubmittedOnTime),
    });

    internal static List<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    public static string DateText(DateOnly d) => $"{d.Year}年{d.Month}月{d.Day}日";

    public static string PeriodText(DateOnly start, DateOnly end) =>
        start.Year == end.Year && start.Month == end.Month && start.Day == 1 && end.AddDays(1).Day == 1
            ? $"{start.Year}年{start.Month}月"
            : $"{DateText(start)}至{DateText(end)}";

    private sealed class FindingFacts
    {
        public int Id { get; init; }
        public int UnitId { get; init; }
        public string Category { get; init; } = "";
        public int CategorySort { get; init; }
        public string Location { get; init; } = "";
        public string Description { get; init; } = "";
        public string Requirement { get; init; } = "";
        public DateOnly Deadline { get; set; }
        public int? DeadlineWorkingDays { get; init; }
        public FindingStatus Status { get; init; }
        public bool IsOverdue { get; init; }
        public bool QueuedForFollowUp { get; init; }
        public DateTimeOffset? AcceptedAt { get; init; }
        public bool AnyReport { get; init; }
        public bool AnyReportOnTime { get; init; }
        public bool AcceptedReportOnTime { get; init; }
        /// <summary>Put into this notice's follow-up as 整改反弹 (see <see cref="NoticeService.AddReboundAsync"/>).</summary>
        public bool Rebound { get; init; }
    }
}
