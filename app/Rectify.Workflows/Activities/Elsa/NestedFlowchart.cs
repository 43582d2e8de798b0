namespace Rectify.Workflows.Activities;

/// <summary>An Elsa.Flowchart inside another activity (a FlowNode's body, a loop's body): it runs its start activity and completes when nothing in it is left to run.</summary>
public sealed class NestedFlowchart : Activity
{
    public const string TypeName = "Elsa.Flowchart";

    public override ActivityDescriptor Descriptor { get; } = new(TypeName, "流程图", "Flowchart", "流程", "Flow",
        "嵌套的流程图。", "A nested flowchart.")
    { IsBrowsable = false, ShowInTimeline = false };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(context.Definition.GraphOf(context.Node.Id).Start is { } start ? ActivityResult.Run([start]) : ActivityResult.Done());
}
