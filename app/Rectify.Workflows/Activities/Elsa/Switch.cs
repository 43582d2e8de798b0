using System.Text.Json;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Activities;

/// <summary>
/// Elsa.Switch (the container, not FlowSwitch): evaluates every case's condition; runs the activity of the first case
/// that holds (MatchFirst) or of every one that holds (MatchAny), else the Default activity, and completes when what it
/// ran has completed — at once when nothing ran (a matching case without an activity runs nothing).
/// </summary>
public sealed class Switch : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Switch", "分情况执行", "Switch", "流程", "Branching",
        "按各情况的条件运行其中的活动：第一个满足的，或所有满足的；都不满足时运行“默认”。",
        "Runs the activity of the first matching case (or of every matching one); Default when none matches.")
    {
        Inputs =
        [
            new InputDescriptor("Cases", "System.Collections.Generic.ICollection<Elsa.Workflows.Activities.SwitchCase>", "情况", "Cases")
            {
                UiHint = UiHints.SwitchEditor, IsWrapped = false, DefaultSyntax = "Object",
                Description = "每行一个情况：名称和条件；把活动拖到同名的出口上", DescriptionEn = "One case per row: its label and condition; drop an activity on its port",
            },
            FlowSwitch.ModeInput,
        ],
        ShowInTimeline = false,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var matchAny = context.Get<string>("Mode").Equals("MatchAny", StringComparison.OrdinalIgnoreCase);
        var matched = new List<int>();
        foreach (var (index, _, condition) in FlowSwitch.Cases(context.Node))
        {
            // Elsa takes a case when its condition is true; false, null and anything else pass over it.
            if (condition.ValueKind == JsonValueKind.Object && condition.TryGetProperty("type", out var type)
                && IsTrue(context.Evaluate(type.GetString()!, condition.TryGetProperty("value", out var v) ? v : default)))
            {
                matched.Add(index);
                if (!matchAny)
                    break;
            }
        }
        var cases = Containers.List(context, "cases");
        var run = matched.Count > 0
            ? matched.Select(i => cases.FirstOrDefault(c => c.Order == i)).OfType<ActivityNode>().ToList()
            : Containers.Slot(context, "default") is { } fallback ? [fallback] : [];
        context.Cursor = run.Count;
        return ValueTask.FromResult(run.Count > 0 ? ActivityResult.Run(run) : ActivityResult.Done());
    }

    /// <summary>Completes when the last activity it ran has.</summary>
    public override ActivityResult OnChildCompleted(ActivityContext context, ActivityNode child, IReadOnlyList<string> outcomes) =>
        --context.Cursor <= 0 ? ActivityResult.Done() : ActivityResult.Run([]);

    private static bool IsTrue(object? value) => value switch
    {
        bool b => b,
        string text => bool.TryParse(text.Trim(), out var b) && b,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.String } e => IsTrue(e.GetString()),
        _ => false,
    };
}
