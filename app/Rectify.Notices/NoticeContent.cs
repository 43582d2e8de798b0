namespace Rectify.Notices;

/// <summary>
/// Everything a notice says, computed from the data (a draft) or read back from its snapshot (an issued notice).
/// The templates in templates/notice lay it out; issuing stores it as JSON, so it is plain data only.
/// </summary>
public sealed record NoticeContent
{
    public int NoticeId { get; init; }
    public string Title { get; init; } = "";
    public string Number { get; init; } = "";
    public string Office { get; init; } = "";
    public string Addressees { get; init; } = "";
    public DateOnly Date { get; init; }
    public string DateText { get; init; } = "";
    public string PeriodText { get; init; } = "";
    public string Introduction { get; init; } = "";
    public bool IsIssued { get; init; }
    /// <summary>The cut-off (截至): the instant the figures were taken, fixed when the draft was composed.</summary>
    public DateTimeOffset AsOf { get; init; }
    public string AsOfText { get; init; } = "";
    public string? CorrectsNumber { get; init; }
    public string? CorrectsTitle { get; init; }
    public BasicFigures Basic { get; init; } = new();
    public List<UnitFindings> NewFindings { get; init; } = [];
    /// <summary>回头看: units that did not rectify earlier findings on time.</summary>
    public List<UnitFindings> FollowUpNotRectified { get; init; } = [];
    /// <summary>回头看: units whose rectification report did not come on time (or never).</summary>
    public List<UnitFindings> FollowUpNoReport { get; init; } = [];
    public List<CompletionRow> Completion { get; init; } = [];
    public CompletionRow CompletionTotal { get; init; } = new();
    /// <summary>Units that rectified every due finding on time, named for praise (表扬).</summary>
    public List<string> Praised { get; init; } = [];
    public List<string> Requirements { get; init; } = [];
    public List<string> Attachments { get; init; } = [];
    public List<ContactRow> Contacts { get; init; } = [];
    public string ContactLine { get; init; } = "";
    /// <summary>Chinese section numbers (一、二 …) of the sections present, by key.</summary>
    public Dictionary<string, string> Sections { get; init; } = [];

    public bool HasFollowUp => FollowUpNotRectified.Count > 0 || FollowUpNoReport.Count > 0;
    public int FollowUpCount => FollowUpNotRectified.Sum(u => u.Findings.Count) + FollowUpNoReport.Sum(u => u.Findings.Count);
    public string FollowUpNotRectifiedUnits => string.Join("、", FollowUpNotRectified.Select(u => u.UnitName));
    /// <summary>The number of the 责任人联系表 among the attachments (its place in the list, else after them).</summary>
    public int ContactsAttachmentNumber => Attachments.FindIndex(a => a.Contains("责任人联系表")) is var i and >= 0 ? i + 1 : Attachments.Count + 1;
    /// <summary>The label atop the attachment page: "附件" alone for a single attachment, "附件2" among several (GB/T 9704 7.5).</summary>
    public string ContactsAttachmentLabel => Attachments.Count <= 1 && ContactsAttachmentNumber == 1 ? "附件" : $"附件{ContactsAttachmentNumber}";
    public string PraisedUnits => string.Join("、", Praised);
    /// <summary>The contact line as the standard's 附注: in parentheses, under the date.</summary>
    public string ContactNote => ContactLine.Length == 0 || ContactLine.StartsWith('（') ? ContactLine : $"（{ContactLine}）";
    public string FollowUpNoReportUnits => string.Join("、", FollowUpNoReport.Select(u => u.UnitName));
}

public sealed record BasicFigures
{
    public int Findings { get; init; }
    public int Units { get; init; }
    public List<CategoryCount> ByCategory { get; init; } = [];
    public string ByCategoryText => string.Join("，", ByCategory.Select(c => $"{c.Category}{c.Count}个"));
}

public sealed record CategoryCount(string Category, int Count);

/// <summary>One unit's paragraph ("1、教育局：…") with its findings.</summary>
public sealed record UnitFindings
{
    public int Index { get; init; }
    public int UnitId { get; init; }
    public string UnitName { get; init; } = "";
    public List<FindingLine> Findings { get; init; } = [];
}

public sealed record FindingLine
{
    public int Index { get; init; }
    public int FindingId { get; init; }
    public string Category { get; init; } = "";
    public string Location { get; init; } = "";
    public string Description { get; init; } = "";
    public string Requirement { get; init; } = "";
    public DateOnly Deadline { get; init; }
    public string DeadlineText { get; init; } = "";
    /// <summary>For follow-up lines: what went wrong (逾期未整改, 逾期整改, 未提交整改报告 …).</summary>
    public string Note { get; init; } = "";
}

public sealed record CompletionRow
{
    public int Index { get; init; }
    public int UnitId { get; init; }
    public string UnitName { get; init; } = "";
    public int Findings { get; init; }
    public int ReportsOnTime { get; init; }
    public int Accepted { get; init; }
    /// <summary>Accepted findings whose accepted report was submitted by the deadline.</summary>
    public int AcceptedOnTime { get; init; }
    public int Overdue { get; init; }
    /// <summary>整改完成率 in percent, one decimal: accepted ÷ findings due by the cut-off (<see cref="Findings"/>).</summary>
    public double Rate { get; init; }
    /// <summary>按时整改率 in percent, one decimal: <see cref="AcceptedOnTime"/> ÷ findings due.</summary>
    public double OnTimeRate { get; init; }
    /// <summary>A rate over no due finding is not 0 %: it is shown as a dash.</summary>
    public string RateText => Findings == 0 ? "—" : $"{Rate:0.0}%";
    public string OnTimeRateText => Findings == 0 ? "—" : $"{OnTimeRate:0.0}%";
}

/// <summary>One line of the 责任人联系表.</summary>
public sealed record ContactRow
{
    public int Index { get; init; }
    public string UnitName { get; init; } = "";
    public string LeaderName { get; init; } = "";
    public string LeaderTitle { get; init; } = "";
    public string LeaderPhone { get; init; } = "";
    public string LiaisonName { get; init; } = "";
    public string LiaisonPhone { get; init; } = "";
    public string LiaisonEmail { get; init; } = "";
}
