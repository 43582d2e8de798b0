namespace Rectify.Mail.Templates;

// What a template can see, and nothing else: plain records filled from the entities when a message is queued.
// Only these types are registered with the template renderer, so an entity that slipped in would render empty.
// Members are written in snake_case in templates: {{ finding.due_date }}, {{ recipient.name }}.

/// <summary>The model of one message.</summary>
public sealed record MailModel(
    string BaseUrl,
    string Office,
    /// <summary>The office's today, e.g. 2026年3月2日.</summary>
    string Today,
    RecipientView Recipient,
    /// <summary>The page the mail is about: the finding's page, else /my for a liaison, else /dashboard.</summary>
    string Link,
    FindingView? Finding,
    UnitView? Unit,
    IReadOnlyDictionary<string, object?> Values);

/// <summary>The model of a digest: several messages due to one address at the same moment.</summary>
public sealed record DigestModel(
    string BaseUrl,
    string Office,
    string Today,
    RecipientView Recipient,
    string Link,
    int Count,
    IReadOnlyList<DigestItemView> Items);

public sealed record RecipientView(string Name, string Address, string Kind, bool IsLiaison)
{
    /// <summary>
    /// Whether the recipient has an account to sign in with: not a unit's leader (责任人) nor a fixed address, whose
    /// mail carries the content itself and no link into the system.
    /// </summary>
    public bool SignsIn => Kind is nameof(RecipientKind.Liaison) or nameof(RecipientKind.Supervisors) or nameof(RecipientKind.Auditors);
}

public sealed record UnitView(int Id, string Name, string LeaderName, string LiaisonName);

public sealed record FindingView(
    int Id,
    string Link,
    string Unit,
    string Category,
    string Inspection,
    string Location,
    string Description,
    string Requirement,
    string Severity,
    /// <summary>e.g. 2026年3月10日.</summary>
    string Deadline,
    /// <summary>yyyy-MM-dd.</summary>
    string DeadlineIso,
    /// <summary>Working days from the office's today to the deadline, negative when past.</summary>
    int DaysLeft,
    /// <summary>The time left as people read it: 剩余3个工作日（12月10日）, 今日到期（12月10日）, 逾期2个工作日（12月10日）.</summary>
    string Remaining,
    string Status,
    bool IsOverdue,
    ReportView? Report,
    ExtensionView? Extension);

/// <summary>The finding's latest rectification report.</summary>
public sealed record ReportView(string SubmittedBy, string SubmittedAt, bool IsFullyRectified, string Measures, string Decision, string ReviewComment, string ReviewedBy);

/// <summary>The finding's latest extension request.</summary>
public sealed record ExtensionView(string RequestedBy, string CurrentDeadline, string RequestedDeadline, string Reason, bool Approved, string Decision, string Comment);

/// <summary>One message inside a digest.</summary>
public sealed record DigestItemView(string Template, string Subject, string Link, FindingView? Finding);
