using System.Text.Json.Nodes;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Activities;

/// <summary>Elsa.ParallelForEach: runs its body once per item, all at once, and completes when every run has.</summary>
public sealed class ParallelForEach : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.ParallelForEach", "并行逐项", "Parallel for each", "循环", "Looping",
        "对每一项同时运行循环体，全部完成后继续。", "Runs the body for every item at once; continues when all are done.")
    {
        Inputs = [ForEach.ItemsInput],
        EmbeddedPorts = [PortDescriptor.Body],
        ShowInTimeline = false,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var items = ForEach.Items(context);
        return ValueTask.FromResult(items.Count > 0 && Containers.Slot(context, "body") is { } body
            ? ActivityResult.RunEach(items.Select((item, i) => (body, (IReadOnlyDictionary<string, JsonNode?>?)new Dictionary<string, JsonNode?>
            {
                ["CurrentValue"] = item?.DeepClone(),
                ["CurrentIndex"] = i,
            })))
            : ActivityResult.Done());
    }

    public override ActivityResult OnChildCompleted(ActivityContext context, ActivityNode child, IReadOnlyList<string> outcomes)
    {
        context.Cursor++;
        return context.Cursor >= ForEach.Items(context).Count ? ActivityResult.Done() : ActivityResult.Run([]);
    }
}
