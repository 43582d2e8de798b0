using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Activities;

/// <summary>Elsa.While: runs its body as long as the condition holds, checking before each round.</summary>
public sealed class While : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.While", "当……时循环", "While", "循环", "Looping",
        "条件为真时反复运行循环体。", "Runs the body again and again while the condition holds.")
    {
        Inputs = [new InputDescriptor("Condition", "System.Boolean", "条件", "Condition") { Required = true, DefaultSyntax = "JavaScript" }],
        EmbeddedPorts = [PortDescriptor.Body],
        ShowInTimeline = false,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(Round(context));

    public override ActivityResult OnChildCompleted(ActivityContext context, ActivityNode child, IReadOnlyList<string> outcomes) => Round(context);

    private static ActivityResult Round(ActivityContext context) =>
        context.Get<bool>("Condition") && Containers.Slot(context, "body") is { } body ? ActivityResult.Run([body]) : ActivityResult.Done();
}
