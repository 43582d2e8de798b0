using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Expressions;

namespace Rectify.Workflows.Activities;

/// <summary>
/// Another workflow used as an activity (Elsa's WorkflowDefinitionActivity; the node's type is that workflow's name and
/// it carries <c>workflowDefinitionId</c>): runs the other definition — the version the node names when it is ours and published,
/// else the published one — with the node's inputs as the workflow's inputs, as an instance of its own for the same
/// finding. When that instance finishes, its outputs become this activity's outputs (mapped like any activity's) and
/// the activity continues on Done; a fault there faults this workflow too.
/// </summary>
public sealed class WorkflowDefinitionActivity : Activity
{
    public const string TypeName = "Elsa.WorkflowDefinitionActivity";

    public override ActivityDescriptor Descriptor { get; } = new(TypeName, "子流程", "Workflow", "流程", "Workflows",
        "运行另一个可作为活动使用的流程。", "Runs another workflow usable as an activity.")
    { IsBrowsable = false };

    /// <summary>The recorded input naming the child instance (the runner cancels it with this execution).</summary>
    public const string ChildInput = "WorkflowInstanceId";

    /// <summary>The bookmark that waits for the child instance to finish.</summary>
    public static string BookmarkFor(string childInstanceId) => "Workflow:" + childInstanceId;

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var (version, child) = await ResolveAsync(context);
        var input = new Dictionary<string, JsonNode?>();
        foreach (var declared in child.Inputs)
        {
            var jsonName = char.ToLowerInvariant(declared.Name[0]) + declared.Name[1..];
            if (context.Node.Inputs.TryGetValue(jsonName, out var value) && !value.IsEmpty)
                input[declared.Name] = JsonPlain.ToNode(context.Evaluate(value.ExpressionType, value.Value));
        }
        var instance = await context.StartWorkflowAsync(version, child, input);
        context.RecordInput(ChildInput, instance.Id);
        return instance.Status == WorkflowStatus.Finished ? Completed(context, instance) : ActivityResult.Wait([BookmarkFor(instance.Id)]);
    }

    public override async ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Signal signal)
    {
        var childId = (string)context.RecordedInput(ChildInput)!;
        var instance = await context.Services.Db.Set<WorkflowInstance>().SingleAsync(i => i.Id == childId);
        return Completed(context, instance);
    }

    private static ActivityResult Completed(ActivityContext context, WorkflowInstance instance)
    {
        if (instance.SubStatus == WorkflowSubStatus.Faulted)
            throw new InvalidOperationException($"The workflow '{instance.DefinitionId}' run as activity '{context.Node.Id}' faulted: {instance.Fault}");
        foreach (var (name, value) in Runtime.InstanceState.Read(instance.State).Output)
            context.SetOutput(char.ToLowerInvariant(name[0]) + name[1..], value);
        return ActivityResult.Done();
    }

    /// <summary>The version Elsa would run: the one the node names (workflowDefinitionVersionId), else the published one.</summary>
    private static async Task<(WorkflowDefinitionVersion, WorkflowDefinition)> ResolveAsync(ActivityContext context)
    {
        var db = context.Services.Db;
        var definitionId = context.Node.WorkflowDefinitionId!;
        var versionId = context.Node.Raw.TryGetProperty("workflowDefinitionVersionId", out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        var version = (versionId is null ? null : await db.Set<WorkflowDefinitionVersion>().AsNoTracking()
                          .SingleOrDefaultAsync(x => x.Id == versionId && x.DefinitionId == definitionId && x.IsPublished))
                      ?? await context.Services.Definitions.PublishedAsync(db, definitionId, default)
                      ?? throw new RectifyException("workflow.activity_workflow_missing", $"活动“{context.Node.Id}”要运行的流程“{definitionId}”没有已发布的版本。",
                          $"The workflow '{definitionId}' that activity '{context.Node.Id}' runs has no published version.");
        return (version, context.Services.Definitions.Parsed(version));
    }
}
