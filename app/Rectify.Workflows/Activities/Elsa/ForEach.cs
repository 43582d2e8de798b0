using System.Text.Json.Nodes;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Expressions;

namespace Rectify.Workflows.Activities;

/// <summary>Elsa.ForEach: runs its body once per item, one after the other; CurrentValue goes where the definition maps it.</summary>
public sealed class ForEach : Activity
{
    /// <summary>The list a loop walks (ParallelForEach takes the same).</summary>
    internal static readonly InputDescriptor ItemsInput = new("Items", "System.Object[]", "各项", "Items") { Required = true, DefaultSyntax = "JavaScript" };

    public override ActivityDescriptor Descriptor { get; } = new("Elsa.ForEach", "逐项循环", "For each", "循环", "Looping",
        "对每一项依次运行循环体。", "Runs the body for each item in turn.")
    {
        Inputs = [ItemsInput],
        EmbeddedPorts = [PortDescriptor.Body],
        ShowInTimeline = false,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(Next(context, 0));

    public override ActivityResult OnChildCompleted(ActivityContext context, ActivityNode child, IReadOnlyList<string> outcomes) =>
        Next(context, context.Cursor + 1);

    private static ActivityResult Next(ActivityContext context, int index)
    {
        context.Cursor = index;
        var items = Items(context);
        if (index >= items.Count || Containers.Slot(context, "body") is not { } body)
            return ActivityResult.Done();
        context.SetOutput("currentValue", items[index]?.DeepClone());
        return ActivityResult.RunEach([(body, (IReadOnlyDictionary<string, JsonNode?>?)new Dictionary<string, JsonNode?>
        {
            ["CurrentValue"] = items[index]?.DeepClone(),
            ["CurrentIndex"] = index,
        })]);
    }

    /// <summary>The items as evaluated when the loop began (kept on the execution, so a resumed loop sees the same list).</summary>
    internal static JsonArray Items(ActivityContext context)
    {
        if (context.RecordedInput("Items") is JsonArray recorded)
            return recorded;
        var value = JsonPlain.ToNode(context.Evaluate("Items"));
        if (value is JsonValue text && text.TryGetValue<string>(out var json) && json.TrimStart().StartsWith('['))
            value = JsonNode.Parse(json);
        var items = value as JsonArray ?? [];
        context.RecordInput("Items", items);
        return items;
    }
}
