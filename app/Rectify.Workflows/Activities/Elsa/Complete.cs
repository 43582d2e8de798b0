namespace Rectify.Workflows.Activities;

/// <summary>Elsa.Complete: completes the enclosing flowchart with the given outcomes; at the root that finishes the workflow.</summary>
public sealed class Complete : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Complete", "完成", "Complete", "流程", "Flow",
        "以给定的结果完成所在的流程图；在根流程图中即完成整个流程。", "Completes the enclosing flowchart with the given outcomes; at the root, the workflow.")
    {
        IsTerminal = true,
        Outcomes = [],
        Inputs = [new InputDescriptor("Outcomes", "System.String[]", "结果", "Outcomes") { UiHint = UiHints.MultiLine, Description = "结果名称，逗号分隔", DescriptionEn = "Outcome names, comma-separated" }],
    };

    // Its outcomes matter to a workflow used as an activity by another, which Rectify does not run; the input is kept for the designer.
    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Finish());
}
