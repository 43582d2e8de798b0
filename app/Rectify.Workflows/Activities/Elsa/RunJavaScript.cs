namespace Rectify.Workflows.Activities;

/// <summary>
/// Elsa.RunJavaScript: runs a script; it continues on the outcomes the script set with setOutcome()/setOutcomes(), else on
/// Done. Its Result goes where the definition maps it (a variable or a workflow output).
/// </summary>
public sealed class RunJavaScript : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.RunJavaScript", "运行脚本", "Run JavaScript", "脚本", "Scripting",
        "运行一段 JavaScript；脚本可用 setOutcome() 选择出口。", "Runs a JavaScript; the script may choose outcomes with setOutcome().")
    {
        Inputs =
        [
            new InputDescriptor("Script", "System.String", "脚本", "Script") { UiHint = UiHints.Code, Required = true, Format = InputFormats.JavaScript },
            new InputDescriptor("PossibleOutcomes", "System.String[]", "可能的出口", "Possible outcomes") { UiHint = UiHints.MultiLine },
        ],
        HasDynamicPorts = true,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        // The script is the input itself (Literal text run as JavaScript), as Elsa's RunJavaScript takes it.
        var script = context.Node.Inputs.TryGetValue("script", out var input) ? input.Value : default;
        var result = context.Evaluate("JavaScript", script);
        context.SetOutput("result", result);
        return ValueTask.FromResult(context.Scope.Outcomes.Count > 0 ? ActivityResult.Done([.. context.Scope.Outcomes]) : ActivityResult.Done());
    }

    public override IReadOnlyList<string>? PortsOf(Definitions.ActivityNode node) =>
        node.Inputs.TryGetValue("possibleOutcomes", out var p) && !p.IsEmpty && p.ExpressionType is "Literal" or "Object"
            ? [.. ValueConversion.To<List<string>>(p.Value), "Done"]
            : null;
}
