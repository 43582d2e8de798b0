using System.Globalization;
using Rectify.Findings;
using Rectify.Reports;

namespace Rectify.Common;

/// <summary>What a domain value is called, in Chinese (the default) and English.</summary>
public readonly record struct Label(string Zh, string En)
{
    /// <summary>The label in a culture: English for en, Chinese otherwise (as the pages and <see cref="RectifyException"/> choose).</summary>
    public string In(CultureInfo culture) => culture.TwoLetterISOLanguageName == "en" ? En : Zh;
}

/// <summary>
/// The one table of labels for statuses and decisions: pages, mails, notices and exports all name a value from here,
/// so an auditor reads the same word for the same state wherever it appears. Mails and exports are Chinese documents
/// and take <see cref="Label.Zh"/>; pages take the request's language.
/// </summary>
public static class Labels
{
    public static Label Label(this FindingStatus status) => status switch
    {
        FindingStatus.Draft => new("草稿", "Draft"),
        FindingStatus.Assigned => new("待整改", "Assigned"),
        FindingStatus.Submitted => new("已提交", "Submitted"),
        FindingStatus.Returned => new("退回", "Returned"),
        FindingStatus.Accepted => new("已整改", "Accepted"),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static Label Label(this Severity severity) => severity switch
    {
        Severity.Minor => new("轻微", "Minor"),
        Severity.Normal => new("一般", "Normal"),
        Severity.Serious => new("严重", "Serious"),
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, null),
    };

    public static Label Label(this ReviewDecision decision) => decision switch
    {
        ReviewDecision.Pending => new("待审核", "Awaiting review"),
        ReviewDecision.Accepted => new("通过", "Accepted"),
        ReviewDecision.Returned => new("退回", "Returned"),
        ReviewDecision.Withdrawn => new("已撤回", "Withdrawn"),
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, null),
    };

    /// <summary>已批准 / 不予批准: the words of an approval form (不予批准, not 未批准, which also reads as "not yet").</summary>
    public static Label Label(this ExtensionDecision decision) => decision switch
    {
        ExtensionDecision.Pending => new("待审批", "Pending"),
        ExtensionDecision.Approved => new("已批准", "Approved"),
        ExtensionDecision.Denied => new("不予批准", "Denied"),
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, null),
    };

    /// <summary>A report's own account of itself (整改报告 “是否全部整改”).</summary>
    public static Label Completeness(bool fullyRectified) =>
        fullyRectified ? new("全部整改", "Fully rectified") : new("部分整改", "Partly rectified");

    /// <summary>The overdue flag, shown beside the status (never instead of it).</summary>
    public static readonly Label Overdue = new("逾期", "Overdue");
}
