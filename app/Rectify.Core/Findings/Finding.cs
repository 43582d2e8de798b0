using Rectify.Auditing;
using Rectify.Categories;
using Rectify.Inspections;
using Rectify.Reports;
using Rectify.Time;
using Rectify.Units;

namespace Rectify.Findings;

/// <summary>
/// One concrete problem of one unit (问题), tracked until its rectification is accepted. The finding owns its
/// transitions: Draft → Assigned → Submitted → Accepted, or Submitted → Returned (with a new deadline) → Submitted
/// again; overdue is a flag beside the status. Each method checks its rule and throws a <see cref="RectifyException"/>
/// before anything changes, then records a <see cref="FindingEvent"/> that <see cref="Data.RectifyDb"/> hands to its
/// handlers (workflow, mail, captures) and names the audit entry with, inside the same save.
/// </summary>
public partial class Finding : IAuditable
{
    public int Id { get; set; }
    public int InspectionId { get; set; }
    public Inspection? Inspection { get; set; }
    public int UnitId { get; set; }
    public Unit? Unit { get; set; }
    public int CategoryId { get; set; }
    public Category? Category { get; set; }
    /// <summary>Where the problem is: a column path (栏目) or a URL.</summary>
    public string Location { get; set; } = "";
    public string Description { get; set; } = "";
    public string Requirement { get; set; } = "";
    public Severity Severity { get; set; } = Severity.Normal;
    /// <summary>The last day of rectification, in the office's time zone.</summary>
    public DateOnly Deadline { get; set; }
    /// <summary>
    /// A draft's deadline given as working days (e.g. "5个工作日"): resolved to <see cref="Deadline"/> when the finding is
    /// issued, counted from the next working day after issuing; until then <see cref="Deadline"/> holds the date it
    /// would get on the day it was saved. Null once issued and for drafts with a fixed date.
    /// </summary>
    public int? DeadlineWorkingDays { get; set; }
    /// <summary>Why the deadline last changed (an auditor's edit, an approved extension, a return …), kept with it in the history.</summary>
    public string DeadlineReason { get; set; } = "";
    public FindingStatus Status { get; set; } = FindingStatus.Draft;
    /// <summary>逾期: set when the deadline passed without an accepted report; it stands beside the status.</summary>
    public bool IsOverdue { get; set; }
    public DateTimeOffset? OverdueSince { get; set; }
    /// <summary>Set by escalation: the finding is to be named in the next notice's follow-up (回头看).</summary>
    public bool QueuedForFollowUp { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedById { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? AssignedAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    /// <summary>Optimistic concurrency token, bumped by every change.</summary>
    public int Version { get; set; }
    /// <summary>
    /// The <see cref="IssueStaging"/> (a big issue or an import) that wrote this finding and has not completed yet:
    /// until it clears, every query leaves the finding out (a query filter), so nobody sees half of it.
    /// </summary>
    public string? StagingId { get; set; }
    public List<RectificationReport> Reports { get; set; } = [];
    public List<ExtensionRequest> ExtensionRequests { get; set; } = [];

    public bool IsOpen => Status is FindingStatus.Assigned or FindingStatus.Submitted or FindingStatus.Returned;
}

public enum FindingStatus
{
    /// <summary>草稿: recorded, not yet sent to the unit.</summary>
    Draft,
    /// <summary>待整改.</summary>
    Assigned,
    /// <summary>已提交: a report awaits review.</summary>
    Submitted,
    /// <summary>退回: the report was sent back with a new deadline; the unit rectifies again and resubmits from here.</summary>
    Returned,
    /// <summary>已整改.</summary>
    Accepted,
}

public enum Severity
{
    Minor,
    Normal,
    Serious,
}
