using System.Globalization;
using System.Text.Json.Nodes;
using Rectify.Data;
using Rectify.Workflows;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Web.Elsa;

/// <summary>
/// /elsa/api/workflow-instances/{id}/…: what the instance viewer shows of a finding's workflow — status, the
/// journal of events, the variables — from the runtime's instance record. Unknown or unreadable instances are 404.
/// </summary>
public static class WorkflowInstancesApi
{
    public static RouteGroupBuilder MapWorkflowInstancesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/workflow-instances/{id}", async (string id, HttpContext http, InstanceReader reader, DefinitionCache definitions, RectifyDb db, CancellationToken ct) =>
        {
            if (await reader.ReadAsync(http.Grant(), id, ct) is not var (instance, state))
                return Results.NotFound();
            var definition = await definitions.ParsedAsync(db, instance.DefinitionVersionId, ct);
            return ElsaJson.Ok(Instance(instance, state, definition));
        });

        api.MapGet("/workflow-instances/{id}/execution-state", async (string id, HttpContext http, InstanceReader reader, CancellationToken ct) =>
            await reader.ReadAsync(http.Grant(), id, ct) is var (instance, _)
                ? ElsaJson.Ok(new { status = instance.Status, workflowSubStatus = instance.SubStatus, updatedAt = instance.UpdatedAt })
                : Results.NotFound());

        api.MapPost("/workflow-instances/{id}/journal", async (string id, int? skip, int? take, JsonObject? body, HttpContext http, InstanceReader reader, CancellationToken ct) =>
        {
            if (await reader.ReadAsync(http.Grant(), id, ct) is not var (instance, state))
                return Results.NotFound();
            var filter = body?["filter"] as JsonObject;
            var nodeIds = Strings(filter?["activityNodeIds"]);
            var excluded = Strings(filter?["excludedActivityTypes"]);
            var entries = state.Journal
                .Where(e => nodeIds.Count == 0 || nodeIds.Contains(e.NodeId))
                .Where(e => !excluded.Contains(e.ActivityType))
                .OrderBy(e => e.Sequence)
                .ToList();
            var items = entries.Skip(skip ?? 0).Take(take is > 0 ? take.Value : 100).Select(e => new
            {
                id = $"{instance.Id}-j{e.Sequence}",
                workflowInstanceId = instance.Id,
                activityInstanceId = ActivityExecutionsApi.RecordId(instance.Id, e.ExecutionId),
                parentActivityInstanceId = (string?)null,
                activityId = e.ActivityId,
                activityType = e.ActivityType,
                activityTypeVersion = 1,
                activityName = e.ActivityId,
                nodeId = e.NodeId,
                timestamp = e.Timestamp,
                sequence = (long)e.Sequence,
                eventName = e.EventName,
                message = (string?)null,
                source = (string?)null,
                payload = (object?)null,
            }).ToList();
            return ElsaJson.Ok(new { items, totalCount = entries.Count });
        });

        api.MapGet("/workflow-instances/{id}/variables", async (string id, HttpContext http, InstanceReader reader, DefinitionCache definitions, RectifyDb db, CancellationToken ct) =>
        {
            if (await reader.ReadAsync(http.Grant(), id, ct) is not var (instance, state))
                return Results.NotFound();
            var definition = await definitions.ParsedAsync(db, instance.DefinitionVersionId, ct);
            var items = definition.Variables
                .Select(v => new { id = v.Id, name = v.Name, value = state.Variables.TryGetValue(v.Name, out var value) ? value?.DeepClone() : null })
                .ToList();
            return ElsaJson.List(items);
        });
        return api;
    }

    private static HashSet<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.Ordinal) : [];

    private static object Instance(WorkflowInstance instance, InstanceState state, WorkflowDefinition definition)
    {
        var incidents = state.Incidents.Select(i => new
        {
            activityId = i.ActivityId,
            activityNodeId = i.NodeId,
            activityType = i.ActivityType,
            message = i.Message,
            exception = new { type = i.ExceptionType, message = i.Message, stackTrace = (string?)null, innerException = (object?)null },
            timestamp = i.Timestamp,
        }).ToList();
        return new
        {
            id = instance.Id,
            definitionId = instance.DefinitionId,
            definitionVersionId = instance.DefinitionVersionId,
            version = instance.DefinitionVersion,
            name = definition.Name,
            correlationId = instance.FindingId?.ToString(CultureInfo.InvariantCulture),
            status = instance.Status,
            subStatus = instance.SubStatus,
            incidentCount = incidents.Count,
            isSystem = false,
            createdAt = instance.CreatedAt,
            updatedAt = instance.UpdatedAt,
            finishedAt = instance.FinishedAt,
            workflowState = new
            {
                id = instance.Id,
                definitionId = instance.DefinitionId,
                definitionVersionId = instance.DefinitionVersionId,
                definitionVersion = instance.DefinitionVersion,
                correlationId = instance.FindingId?.ToString(CultureInfo.InvariantCulture),
                status = instance.Status,
                subStatus = instance.SubStatus,
                incidents,
                // The flowchart's own context: the viewer takes the root node from it.
                activityExecutionContexts = new[]
                {
                    new
                    {
                        id = $"{instance.Id}-root",
                        parentContextId = (string?)null,
                        scheduledActivityNodeId = definition.RootNodeId,
                        ownerActivityNodeId = (string?)null,
                        properties = new Dictionary<string, object>(),
                        activityState = new Dictionary<string, object>(),
                        status = instance.Status == WorkflowStatus.Finished ? "Completed" : "Running",
                        isExecuting = false,
                        faultCount = incidents.Count,
                        createdAt = instance.CreatedAt,
                        startedAt = instance.CreatedAt,
                        completedAt = instance.FinishedAt,
                    },
                },
                bookmarks = Array.Empty<object>(),
                completionCallbacks = Array.Empty<object>(),
                properties = new Dictionary<string, object>(),
                createdAt = instance.CreatedAt,
                updatedAt = instance.UpdatedAt,
                finishedAt = instance.FinishedAt,
            },
        };
    }
}
