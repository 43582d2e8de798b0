namespace Rectify.Workflows.Activities;

/// <summary>Elsa.FlowNode: runs its body (any activity, often a flowchart) and completes when the body does.</summary>
public sealed class FlowNode : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.FlowNode", "节点", "Flow node", "流程", "Flow",
        "运行其中的活动，完成后继续。", "Runs its body, then continues.")
    { ShowInTimeline = false, EmbeddedPorts = [PortDescriptor.Body] };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(Containers.Slot(context, "body") is { } body ? ActivityResult.Run([body]) : ActivityResult.Done());
}
