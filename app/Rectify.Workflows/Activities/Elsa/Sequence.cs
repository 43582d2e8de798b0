using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Activities;

/// <summary>Elsa.Sequence: runs its activities one after the other.</summary>
public sealed class Sequence : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Sequence", "顺序", "Sequence", "流程", "Flow",
        "依次运行其中的活动。", "Runs its activities one after the other.")
    { ShowInTimeline = false };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(Next(context, 0));

    public override ActivityResult OnChildCompleted(ActivityContext context, ActivityNode child, IReadOnlyList<string> outcomes) =>
        Next(context, context.Cursor + 1);

    private static ActivityResult Next(ActivityContext context, int index)
    {
        context.Cursor = index;
        var activities = Containers.List(context, "activities");
        return index < activities.Count ? ActivityResult.Run([activities[index]]) : ActivityResult.Done();
    }
}
