using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Activities;

/// <summary>Elsa.If: runs Then or Else by the condition, and completes when that branch does (or at once without one).</summary>
public sealed class If : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.If", "如果", "If", "流程", "Flow",
        "条件为真运行“则”，否则运行“否则”。", "Runs Then when the condition holds, else Else.")
    {
        Inputs = [new InputDescriptor("Condition", "System.Boolean", "条件", "Condition") { Required = true, DefaultSyntax = "JavaScript" }],
        EmbeddedPorts = [new PortDescriptor("Then", "则", "Then"), new PortDescriptor("Else", "否则", "Else")],
        ShowInTimeline = false,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(Containers.Slot(context, context.Get<bool>("Condition") ? "then" : "else") is { } branch ? ActivityResult.Run([branch]) : ActivityResult.Done());
}
