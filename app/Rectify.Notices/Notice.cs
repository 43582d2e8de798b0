using Rectify.Findings;
using Rectify.Inspections;

namespace Rectify.Notices;

/// <summary>
/// 通报: a numbered document an office issues for a period. A draft is filled from the live data of its
/// inspections and can be edited; issuing freezes its <see cref="Text"/> and <see cref="UnitFigures"/>, which never
/// change afterwards. A correction is a new notice that <see cref="CorrectsNoticeId">refers</see> to the issued one.
/// </summary>
public class Notice : Rectify.Auditing.IAuditable
{
    public int Id { get; set; }
    /// <summary>文号, e.g. X政公办〔2026〕12号.</summary>
    public string Number { get; set; } = "";
    public string Title { get; set; } = "";
    /// <summary>发文机关 (the issuing office, also the signature).</summary>
    public string Office { get; set; } = "";
    /// <summary>主送机关, e.g. 各街道办事处，区政府各部门.</summary>
    public string Addressees { get; set; } = "";
    /// <summary>成文日期.</summary>
    public DateOnly Date { get; set; }
    public DateOnly PeriodStart { get; set; }
    public DateOnly PeriodEnd { get; set; }
    public NoticeStatus Status { get; set; } = NoticeStatus.Draft;
    /// <summary>Opening paragraph; empty means the generated one.</summary>
    public string Introduction { get; set; } = "";
    /// <summary>工作要求: one paragraph per line.</summary>
    public string Requirements { get; set; } = "";
    /// <summary>附件 list: one attachment title per line.</summary>
    public string Attachments { get; set; } = "";
    /// <summary>联系人 line closing the notice (contact person and phone), may be empty.</summary>
    public string ContactLine { get; set; } = "";
    public int? CorrectsNoticeId { get; set; }
    public Notice? CorrectsNotice { get; set; }
    public List<NoticeInspection> Inspections { get; set; } = [];
    /// <summary>The findings the issued notice named, by section; written when it is issued.</summary>
    public List<NoticeFinding> Findings { get; set; } = [];
    /// <summary>The completion table as of issuing (完成率 snapshot for the dashboard chart).</summary>
    public List<NoticeUnitFigure> UnitFigures { get; set; } = [];
    /// <summary>
    /// 截至: the instant the figures are taken, fixed when the draft is composed (never after its 成文日期's day) and
    /// kept by the issued notice; null for a draft never composed.
    /// </summary>
    public DateTimeOffset? CutOff { get; set; }
    /// <summary>
    /// The composed content: the preview the auditor checks while a draft, and from 印发中 on the notice as issued,
    /// which is exactly that preview. Null for a draft never composed. In a table of its own, so that a change of the
    /// notice's own row (turning it 印发中, then issued) does not write a big notice's text again.
    /// </summary>
    public NoticeText? Text { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedById { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? IssuedAt { get; set; }
    public string? IssuedById { get; set; }
    public string IssuedByName { get; set; } = "";
    /// <summary>
    /// The audit chain's head when the notice was issued (position and hash of its last entry): the published notice
    /// anchors the history before it, so a rewritten history no longer matches what was published.
    /// </summary>
    public long? AuditHeadSequence { get; set; }
    public string? AuditHeadHash { get; set; }
    /// <summary>Optimistic concurrency token: two auditors cannot both issue or edit over each other.</summary>
    public int Version { get; set; }

    public bool IsIssued => Status == NoticeStatus.Issued;
}

/// <summary>A notice's composed content (<see cref="Notice.Text"/>).</summary>
public class NoticeText : Rectify.Auditing.IAuditable
{
    /// <summary>The content (<see cref="NoticeContent"/> as JSON); its IsIssued follows the notice's status.</summary>
    [Rectify.Auditing.AuditedAsDigest]
    public string Json { get; set; } = "";
    /// <summary>The body (HTML fragment), rendered once at composing; null for one stored before bodies were.</summary>
    [Rectify.Auditing.AuditedAsDigest]
    public string? Html { get; set; }
}

public enum NoticeStatus
{
    Draft,
    Issued,
    /// <summary>印发中: a big notice's findings are being issued in chunks; shown to nobody but auditors, who see its progress.</summary>
    Issuing,
}

/// <summary>The notice statuses' entries of the label table (<see cref="Rectify.Common.Labels"/>, which cannot name a module's type).</summary>
public static class NoticeLabels
{
    public static Rectify.Common.Label Label(this NoticeStatus status) => status switch
    {
        NoticeStatus.Draft => new("草稿", "Draft"),
        NoticeStatus.Issued => new("已印发", "Issued"),
        NoticeStatus.Issuing => new("印发中", "Issuing"),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}

/// <summary>An inspection whose findings the notice publishes.</summary>
public class NoticeInspection
{
    public int NoticeId { get; set; }
    public int InspectionId { get; set; }
    public Inspection? Inspection { get; set; }
}

/// <summary>A finding named by an issued notice, and in which section.</summary>
public class NoticeFinding
{
    public int NoticeId { get; set; }
    public int FindingId { get; set; }
    public Finding? Finding { get; set; }
    public NoticeSection Section { get; set; }
}

public enum NoticeSection
{
    /// <summary>New finding published by this notice (检查发现的问题).</summary>
    New,
    /// <summary>A finding of an earlier notice named again (回头看 / 上期问题整改情况).</summary>
    FollowUp,
}

/// <summary>One row of the completion table, frozen when the notice is issued.</summary>
public class NoticeUnitFigure
{
    public int Id { get; set; }
    public int NoticeId { get; set; }
    public int UnitId { get; set; }
    public string UnitName { get; set; } = "";
    public int Findings { get; set; }
    public int ReportsOnTime { get; set; }
    public int Accepted { get; set; }
    public int Overdue { get; set; }
    /// <summary>完成率 in percent, 0–100, one decimal.</summary>
    public double CompletionRate { get; set; }
}
