namespace Rectify.Findings;

/// <summary>Something that happened to a finding, told to the workflow runtime inside the same transaction.</summary>
public abstract record FindingEvent(Finding Finding)
{
    /// <summary>Stable name used to match workflow bookmarks (e.g. ReportSubmitted).</summary>
    public abstract string Name { get; }
}

public sealed record ReportSubmitted(Finding Finding, Reports.RectificationReport Report) : FindingEvent(Finding)
{
    public override string Name => nameof(ReportSubmitted);
}

public sealed record ReportReviewed(Finding Finding, Reports.RectificationReport Report) : FindingEvent(Finding)
{
    public override string Name => nameof(ReportReviewed);
}

/// <summary>The unit took its report back before the review: the workflow waits for a report again.</summary>
public sealed record ReportWithdrawn(Finding Finding, Reports.RectificationReport Report) : FindingEvent(Finding)
{
    public override string Name => nameof(ReportWithdrawn);
}

public sealed record ExtensionRequested(Finding Finding, ExtensionRequest Request) : FindingEvent(Finding)
{
    public override string Name => nameof(ExtensionRequested);
}

public sealed record ExtensionDecided(Finding Finding, ExtensionRequest Request) : FindingEvent(Finding)
{
    public override string Name => nameof(ExtensionDecided);
}

/// <summary>
/// Reacts to a finding event before the change is saved, on the same DbContext, so that the finding's change
/// and whatever the handler writes (workflow state, outgoing mail) commit together.
/// </summary>
public interface IFindingEventHandler
{
    Task HandleAsync(FindingEvent e, CancellationToken cancellationToken);
}

/// <summary>The finding's deadline moved (<see cref="FindingDeadline"/>): the workflow moves its reminder and deadline timers.</summary>
public sealed record DeadlineChanged(Finding Finding, DateOnly Previous, DeadlineChange Kind, string Reason) : FindingEvent(Finding)
{
    public override string Name => nameof(DeadlineChanged);
}
