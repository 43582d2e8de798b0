using Rectify.Findings;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Activities;

/// <summary>
/// An activity type: a stateless singleton that carries its descriptor and decides, given a context, whether the
/// activity completes (with outcomes) or waits (for named finding events and/or a timer). The descriptor is either
/// built from the class's [Activity], [Input] and [Port] attributes (see ActivityDeclaration) or given by an override.
/// </summary>
public abstract class Activity
{
    private ActivityDescriptor? _declared;

    public virtual ActivityDescriptor Descriptor => _declared ??= ActivityDeclaration.Describe(this);

    public abstract ValueTask<ActivityResult> ExecuteAsync(ActivityContext context);

    /// <summary>Called when a bookmark or the timer of a waiting execution fires.</summary>
    public virtual ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Signal signal) =>
        ValueTask.FromResult(ActivityResult.Done());

    /// <summary>
    /// A container (Sequence, If, ForEach …) hears here that one of its children completed; it schedules more
    /// (<see cref="ActivityResult.Run"/>, empty to keep waiting for others) or completes.
    /// </summary>
    public virtual ActivityResult OnChildCompleted(ActivityContext context, ActivityNode child, IReadOnlyList<string> outcomes) => ActivityResult.Done();

    /// <summary>The ports a configured activity offers (for validation); dynamic-port activities override.</summary>
    public virtual IReadOnlyList<string>? PortsOf(ActivityNode node) => Descriptor.Outcomes.Select(o => o.Name).ToList();
}

/// <summary>What woke a waiting execution: a timer, or a finding event by its name (ReportSubmitted …).</summary>
public sealed record Signal(string Name, FindingEvent? Event = null)
{
    public const string TimerName = "Timer";
    public static readonly Signal Timer = new(TimerName);
    public bool IsTimer => Name == TimerName;
}

public sealed record ActivityResult
{
    public IReadOnlyList<string> Outcomes { get; private init; } = [];
    public bool IsSuspended { get; private init; }
    public IReadOnlyList<string> Bookmarks { get; private init; } = [];
    public DateTimeOffset? TimerDue { get; private init; }
    /// <summary>End the whole workflow (Elsa.End).</summary>
    public bool FinishesWorkflow { get; private init; }
    /// <summary>A container's children to schedule now, each with the loop variables it sees (CurrentValue …); the container runs until it completes.</summary>
    public IReadOnlyList<(ActivityNode Node, IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?>? Locals)>? Children { get; private init; }

    public static ActivityResult Done(params string[] outcomes) => new() { Outcomes = outcomes.Length == 0 ? ["Done"] : outcomes };
    /// <summary>Completes without following any port: the branch ends here.</summary>
    public static ActivityResult EndBranch() => new();
    public static ActivityResult Finish() => new() { FinishesWorkflow = true };
    public static ActivityResult Run(IEnumerable<ActivityNode> children) => new() { Children = children.Select(c => (c, (IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?>?)null)).ToList() };
    public static ActivityResult RunEach(IEnumerable<(ActivityNode Node, IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?>? Locals)> children) => new() { Children = children.ToList() };

    public static ActivityResult Wait(IReadOnlyList<string> bookmarks, DateTimeOffset? timerDue = null) =>
        // Instants are kept in UTC (PostgreSQL's timestamptz takes no other offset), whatever zone an activity computed in.
        new() { IsSuspended = true, Bookmarks = bookmarks, TimerDue = timerDue?.ToUniversalTime() };
}
