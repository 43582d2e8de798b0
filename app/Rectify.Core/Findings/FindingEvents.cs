using Rectify.Reports;

namespace Rectify.Findings;

/// <summary>
/// Something that happened to a finding, recorded by the finding's own method and handed by
/// <see cref="Data.RectifyDb"/> to every <see cref="IFindingEventHandler"/> inside the same save.
/// </summary>
public abstract record FindingEvent(Finding Finding)
{
    /// <summary>Stable name used to match workflow bookmarks: the event's type name (e.g. ReportSubmitted).</summary>
    public string Name => GetType().Name;

    /// <summary>The audit action of the step (e.g. finding.returned); null when the event is part of another step.</summary>
    public virtual string? Action => null;

    /// <summary>The entries the step changed besides the finding: their audit rows carry the step's action too.</summary>
    public virtual IEnumerable<object> Changed => [];

    /// <summary>
    /// Whether a waiting workflow may be resumed by it. A step the workflow itself took (assigning, reminding,
    /// escalating) is only told to the audit and to mail, never fed back into the workflow.
    /// </summary>
    public virtual bool Resumes => true;
}

public sealed record FindingAssigned(Finding Finding) : FindingEvent(Finding)
{
    public override string? Action => "finding.assigned";
    public override bool Resumes => false;
}

public sealed record ReportSubmitted(Finding Finding, RectificationReport Report) : FindingEvent(Finding)
{
    public override string? Action => "finding.submitted";
    public override IEnumerable<object> Changed => [Report, .. Report.Evidence];
}

public sealed record ReportReviewed(Finding Finding, RectificationReport Report) : FindingEvent(Finding)
{
    public override string? Action => Report.Decision == ReviewDecision.Accepted ? "finding.accepted" : "finding.returned";
    public override IEnumerable<object> Changed => [Report];
}

/// <summary>The unit took its report back before the review: the workflow waits for a report again.</summary>
public sealed record ReportWithdrawn(Finding Finding, RectificationReport Report) : FindingEvent(Finding)
{
    public override string? Action => "finding.report_withdrawn";
    public override IEnumerable<object> Changed => [Report];
}

public sealed record ExtensionRequested(Finding Finding, ExtensionRequest Request) : FindingEvent(Finding)
{
    public override string? Action => "extension.requested";
    public override IEnumerable<object> Changed => [Request];
}

public sealed record ExtensionDecided(Finding Finding, ExtensionRequest Request) : FindingEvent(Finding)
{
    public override string? Action => Request.Decision == ExtensionDecision.Approved ? "extension.approved" : "extension.denied";
    public override IEnumerable<object> Changed => [Request];
}

/// <summary>
/// The finding's deadline moved: the workflow moves its reminder and deadline timers, the liaison is told. Its own
/// step in the history only when an auditor moved it; a return or an extension names the step itself.
/// </summary>
public sealed record DeadlineChanged(Finding Finding, DateOnly Previous, DeadlineChange Kind, string Reason) : FindingEvent(Finding)
{
    public override string? Action => Kind == DeadlineChange.Edited ? "finding.deadline_changed" : null;
}

/// <summary>A deadline-relative reminder of the workflow came due (催办).</summary>
public sealed record FindingReminded(Finding Finding) : FindingEvent(Finding)
{
    public override string? Action => "finding.reminded";
    public override bool Resumes => false;
}

/// <summary>Flagged overdue on its own (<see cref="Finding.MarkOverdue"/>).</summary>
public sealed record FindingMarkedOverdue(Finding Finding) : FindingEvent(Finding)
{
    public override string? Action => "finding.overdue";
    public override bool Resumes => false;
}

/// <summary>Put on the next notice's follow-up list (回头看); <paramref name="Why"/> is the audit action.</summary>
public sealed record FindingQueuedForFollowUp(Finding Finding, string Why) : FindingEvent(Finding)
{
    public override string? Action => Why;
    public override bool Resumes => false;
}

/// <summary>逾期督办: flagged overdue and queued for the next notice's follow-up, in one step.</summary>
public sealed record FindingEscalated(Finding Finding) : FindingEvent(Finding)
{
    public override string? Action => "finding.escalated";
    public override bool Resumes => false;
}

/// <summary>
/// Reacts to a finding event while the change is being saved, on the same DbContext, so that the finding's change
/// and whatever the handler writes (workflow state, outgoing mail) commit together. It may change the finding again
/// through its methods: the events that records are dispatched in turn.
/// </summary>
public interface IFindingEventHandler
{
    Task HandleAsync(FindingEvent e, CancellationToken cancellationToken);
}
