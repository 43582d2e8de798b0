using System.Text.Json.Nodes;
using Rectify.Workflows;
using Rectify.Workflows.Runtime;

namespace Rectify.Web.Elsa;

/// <summary>
/// /elsa/api/activity-executions/* and /activity-execution-summaries/*: the runtime's execution records as Elsa's
/// ActivityExecutionRecord. The report drives the viewer's badges: green done, orange waiting, red faulted.
/// Record ids are "{instanceId}-{sequence}" so that a record is found from its id alone, as the viewer asks.
/// </summary>
public static class ActivityExecutionsApi
{
    public static RouteGroupBuilder MapActivityExecutionsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/activity-executions/report", async (JsonObject body, HttpContext http, InstanceReader reader, CancellationToken ct) =>
        {
            if (await reader.ReadAsync(http.Grant(), body["workflowInstanceId"]?.GetValue<string>(), ct) is not var (_, state))
                return Results.NotFound();
            var nodeIds = body["activityNodeIds"] is JsonArray array ? array.Select(n => n?.GetValue<string>()).OfType<string>().ToList() : [];
            var stats = state.Executions.Where(e => nodeIds.Count == 0 || nodeIds.Contains(e.NodeId))
                .GroupBy(e => e.NodeId)
                .Select(g => new
                {
                    activityNodeId = g.Key,
                    activityId = g.First().ActivityId,
                    startedCount = g.Count(),
                    completedCount = g.Count(e => e.Status == ExecutionStatus.Completed),
                    uncompletedCount = g.Count(e => e.Status == ExecutionStatus.Running),
                    isBlocked = g.Any(e => e.Status == ExecutionStatus.Running && e.HasBookmarks),
                    isFaulted = g.Any(e => e.Status == ExecutionStatus.Faulted),
                    aggregateFaultCount = g.Count(e => e.Status == ExecutionStatus.Faulted),
                    metadata = new Dictionary<string, object>(),
                }).ToList();
            return ElsaJson.Ok(new { stats });
        });

        api.MapGet("/activity-executions/list", async (string? workflowInstanceId, string? activityNodeId, HttpContext http, InstanceReader reader, CancellationToken ct) =>
            await reader.ReadAsync(http.Grant(), workflowInstanceId, ct) is var (instance, state)
                ? ElsaJson.List(Of(state, activityNodeId).Select(e => Record(instance, e)).ToList())
                : Results.NotFound());

        api.MapGet("/activity-execution-summaries/list", async (string? workflowInstanceId, string? activityNodeId, HttpContext http, InstanceReader reader, CancellationToken ct) =>
            await reader.ReadAsync(http.Grant(), workflowInstanceId, ct) is var (instance, state)
                ? ElsaJson.List(Of(state, activityNodeId).Select(e => Summary(instance, e)).ToList())
                : Results.NotFound());

        api.MapGet("/activity-executions/by-id", async (string? id, HttpContext http, InstanceReader reader, CancellationToken ct) =>
            await FindAsync(id, http, reader, ct) is var (instance, record) ? ElsaJson.Ok(Record(instance, record)) : Results.NotFound());

        // A flowchart without sub-workflows: the call stack is the execution itself.
        api.MapGet("/activity-executions/{id}/call-stack", async (string id, HttpContext http, InstanceReader reader, CancellationToken ct) =>
            await FindAsync(id, http, reader, ct) is var (instance, record)
                ? ElsaJson.Ok(new { activityExecutionId = id, items = new[] { Record(instance, record) }, totalCount = 1 })
                : Results.NotFound());
        return api;
    }

    public static string RecordId(string instanceId, string executionId) => $"{instanceId}-{executionId}";

    private static IEnumerable<ExecutionRecord> Of(InstanceState state, string? nodeId) =>
        state.Executions.Where(e => string.IsNullOrEmpty(nodeId) || e.NodeId == nodeId);

    private static async Task<(WorkflowInstance, ExecutionRecord)?> FindAsync(string? id, HttpContext http, InstanceReader reader, CancellationToken ct)
    {
        var dash = id?.LastIndexOf('-') ?? -1;
        if (dash <= 0 || await reader.ReadAsync(http.Grant(), id![..dash], ct) is not var (instance, state))
            return null;
        var record = state.Executions.FirstOrDefault(e => e.Id == id[(dash + 1)..]);
        return record is null ? null : (instance, record);
    }

    private static string Status(ExecutionRecord e) => e.Status switch
    {
        ExecutionStatus.Running => "Running",
        ExecutionStatus.Completed => "Completed",
        ExecutionStatus.Canceled => "Canceled",
        _ => "Faulted",
    };

    private static object Summary(WorkflowInstance instance, ExecutionRecord e) => new
    {
        id = RecordId(instance.Id, e.Id),
        workflowInstanceId = instance.Id,
        activityId = e.ActivityId,
        activityNodeId = e.NodeId,
        activityType = e.ActivityType,
        activityTypeVersion = 1,
        activityName = e.ActivityId,
        status = Status(e),
        startedAt = e.StartedAt,
        completedAt = e.CompletedAt,
        hasBookmarks = e.HasBookmarks,
        aggregateFaultCount = e.Status == ExecutionStatus.Faulted ? 1 : 0,
        metadata = new Dictionary<string, object>(),
    };

    /// <summary>Elsa's ActivityExecutionRecord: activityState holds the inputs as evaluated (descriptor names), payload the outcomes and what it waits for.</summary>
    private static object Record(WorkflowInstance instance, ExecutionRecord e)
    {
        var payload = new Dictionary<string, object?>();
        if (e.Outcomes is { Count: > 0 }) payload["Outcomes"] = e.Outcomes;
        if (e.Bookmarks is { Count: > 0 }) payload["Bookmarks"] = e.Bookmarks;
        if (e.TimerDue is { } due) payload["ResumeAt"] = due;
        return new
        {
            id = RecordId(instance.Id, e.Id),
            workflowInstanceId = instance.Id,
            activityId = e.ActivityId,
            activityNodeId = e.NodeId,
            activityType = e.ActivityType,
            activityTypeVersion = 1,
            activityName = e.ActivityId,
            activityState = e.Inputs ?? [],
            payload,
            outputs = new Dictionary<string, object>(),
            properties = new Dictionary<string, object>(),
            metadata = new Dictionary<string, object>(),
            exception = e.Exception is null ? null : new { type = "Rectify.WorkflowFault", message = e.Exception, stackTrace = (string?)null, innerException = (object?)null },
            startedAt = e.StartedAt,
            hasBookmarks = e.HasBookmarks,
            status = Status(e),
            aggregateFaultCount = e.Status == ExecutionStatus.Faulted ? 1 : 0,
            completedAt = e.CompletedAt,
        };
    }
}
