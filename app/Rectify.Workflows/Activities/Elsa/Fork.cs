using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Activities;

/// <summary>Elsa.Fork: runs its branches at once; completes when all have (WaitAll) or on the first, cancelling the others (WaitAny).</summary>
public sealed class Fork : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Fork", "并行", "Fork", "流程", "Flow",
        "同时运行各分支：全部完成（WaitAll）或任一完成（WaitAny）后继续。", "Runs the branches at once; continues when all (WaitAll) or any (WaitAny) complete.")
    {
        Inputs = [new InputDescriptor("JoinMode", "Elsa.Workflows.Activities.ForkJoinMode", "汇合方式", "Join mode")
        {
            UiHint = UiHints.Dropdown, Default = "WaitAll",
            Options = [("WaitAll", "全部完成", "Wait all"), ("WaitAny", "任一完成", "Wait any")],
        }],
        ShowInTimeline = false,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var branches = Containers.List(context, "branches");
        return ValueTask.FromResult(branches.Count > 0 ? ActivityResult.Run(branches) : ActivityResult.Done());
    }

    public override ActivityResult OnChildCompleted(ActivityContext context, ActivityNode child, IReadOnlyList<string> outcomes)
    {
        if (context.Get<string>("JoinMode").Equals("WaitAny", StringComparison.OrdinalIgnoreCase))
        {
            context.CancelChildren();
            return ActivityResult.Done();
        }
        context.Cursor++;
        return context.Cursor >= Containers.List(context, "branches").Count ? ActivityResult.Done() : ActivityResult.Run([]);
    }
}
