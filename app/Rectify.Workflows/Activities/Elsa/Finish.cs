namespace Rectify.Workflows.Activities;

/// <summary>Elsa.Finish: the workflow is finished at once; whatever still waits is cancelled.</summary>
public sealed class Finish : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Finish", "完成流程", "Finish", "流程", "Flow",
        "立即完成整个流程，取消仍在等待的分支。", "Finishes the workflow at once, cancelling every branch still waiting.")
    { IsTerminal = true, Outcomes = [] };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Finish());
}
