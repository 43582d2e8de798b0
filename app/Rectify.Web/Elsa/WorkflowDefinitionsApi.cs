using System.Text.Json;
using System.Text.Json.Nodes;
using Rectify.Time;
using Rectify.Workflows;
using Rectify.Web.Localization;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;

namespace Rectify.Web.Elsa;

/// <summary>
/// /elsa/api/workflow-definitions: the editor loads, lists versions, auto-saves drafts and publishes through these.
/// The stored JSON is what the Studio sent; on the way out only the server-owned header (ids, version flags, links)
/// is set, so what the Studio saves is what it loads and what the runtime runs.
/// </summary>
public static class WorkflowDefinitionsApi
{
    public static RouteGroupBuilder MapWorkflowDefinitionsApi(this RouteGroupBuilder api, RouteGroupBuilder design)
    {
        design.MapGet("/workflow-definitions/by-definition-id/{definitionId}", async (string definitionId, string? versionOptions, WorkflowDefinitionStore store, ActivityRegistry registry, OfficeClock office, CancellationToken ct) =>
        {
            var version = await FindAsync(store, definitionId, versionOptions, ct);
            return version is null ? Results.NotFound() : ElsaJson.Ok(Serve(version, registry, office));
        });

        // The instance viewer loads the version its instance runs; a viewer token may read only that one.
        api.MapGet("/workflow-definitions/by-id/{id}", async (string id, HttpContext http, WorkflowDefinitionStore store, InstanceReader instances, ActivityRegistry registry, OfficeClock office, CancellationToken ct) =>
        {
            var grant = http.Grant();
            if (!grant.CanDesign && (grant.InstanceId is null || (await instances.FindAsync(grant.InstanceId, ct))?.DefinitionVersionId != id))
                return StudioGrantExtensions.Forbidden();
            var version = await store.GetByIdAsync(id, ct);
            return version is null ? Results.NotFound() : ElsaJson.Ok(Serve(version, registry, office));
        });

        design.MapGet("/workflow-definitions", async (HttpContext http, WorkflowDefinitionStore store, OfficeClock office, int? page, int? pageSize, string? orderDirection, CancellationToken ct) =>
        {
            // DefinitionIds arrives repeated or comma-separated, under either casing.
            var ids = http.Request.Query.Where(q => q.Key.Equals("definitionIds", StringComparison.OrdinalIgnoreCase) || q.Key.Equals("definitionId", StringComparison.OrdinalIgnoreCase))
                .SelectMany(q => q.Value).SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .ToHashSet(StringComparer.Ordinal);
            var options = http.Request.Query.FirstOrDefault(q => q.Key.Equals("versionOptions", StringComparison.OrdinalIgnoreCase)).Value.ToString();
            var all = new List<WorkflowDefinitionVersion>();
            if (ids.Count == 0)
                all.AddRange(await store.ListLatestAsync(ct));
            else
                foreach (var id in ids)
                    all.AddRange(await store.ListVersionsAsync(id, ct));
            if (!options.Equals("AllVersions", StringComparison.OrdinalIgnoreCase) && ids.Count > 0)
                all = all.Where(v => IsPublishedOption(options) ? v.IsPublished : v.IsLatest).ToList();
            var ordered = string.Equals(orderDirection, "Ascending", StringComparison.OrdinalIgnoreCase)
                ? all.OrderBy(v => v.DefinitionId).ThenBy(v => v.Version)
                : all.OrderBy(v => v.DefinitionId).ThenByDescending(v => v.Version);
            var size = pageSize is > 0 ? pageSize.Value : 100;
            var items = ordered.Skip((page ?? 0) * size).Take(size).Select(v => Summary(v, office)).ToList();
            return ElsaJson.Ok(new { items, totalCount = all.Count, page = page ?? 0, pageSize = size });
        });

        design.MapGet("/workflow-definitions/validation/is-name-unique", () => ElsaJson.Ok(new { isUnique = true }));

        // Save a draft (auto-save after every change) or, with publish:true, validate and publish (the Publish button).
        // Save As sends the model without a definitionId: it becomes a new definition.
        design.MapPost("/workflow-definitions", async (JsonObject body, WorkflowDefinitionStore store, ActivityRegistry registry, OfficeClock office, CancellationToken ct) =>
        {
            if (body["model"] is not JsonObject model)
                return ValidationProblem([new("$.model", "request.model_missing", "缺少 model", "The request has no model")]);
            var publish = body["publish"] is JsonValue p && p.TryGetValue<bool>(out var flag) && flag;
            return await SaveAsync(model, publish, store, definition => SaveResponse(definition, registry, office), ct);
        });

        // Elsa's import (the editor's Import, which overrides the open definition, and any client posting Elsa's JSON):
        // the model becomes the draft of its definitionId, or a new definition when it names none.
        design.MapPost("/workflow-definitions/import", async (JsonObject model, WorkflowDefinitionStore store, ActivityRegistry registry, OfficeClock office, CancellationToken ct) =>
            await SaveAsync(model, publish: false, store, definition => ElsaJson.Ok(Serve(definition, registry, office)), ct));

        // Elsa's export: the version as a JSON file, without the server's links, ready to be imported again.
        design.MapGet("/workflow-definitions/{definitionId}/export", async (string definitionId, string? versionOptions, WorkflowDefinitionStore store, ActivityRegistry registry, OfficeClock office, CancellationToken ct) =>
        {
            var version = await FindAsync(store, definitionId, versionOptions, ct);
            if (version is null) return Results.NotFound();
            var model = Serve(version, registry, office);
            model.Remove("links");
            var file = System.Text.Encoding.UTF8.GetBytes(model.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return Results.File(file, "application/json", $"{version.DefinitionId}-v{version.Version}.json");
        });

        design.MapPost("/workflow-definitions/{definitionId}/publish", async (string definitionId, WorkflowDefinitionStore store, ActivityRegistry registry, OfficeClock office, CancellationToken ct) =>
        {
            try
            {
                return SaveResponse(await store.PublishAsync(definitionId, ct), registry, office);
            }
            catch (WorkflowDefinitionException e)
            {
                return ValidationProblem(e.Errors);
            }
        });

        // Version history's Revert: the chosen version's JSON becomes the draft.
        design.MapPost("/workflow-definitions/{definitionId}/revert/{version:int}", async (string definitionId, int version, WorkflowDefinitionStore store, OfficeClock office, CancellationToken ct) =>
        {
            var chosen = await store.GetVersionAsync(definitionId, version, ct);
            if (chosen is null) return Results.NotFound();
            // The Studio reads the new version's summary and then loads it by id.
            return ElsaJson.Ok(Summary(await store.SaveDraftAsync(chosen.Json, ct), office));
        });

        // Findings always need a published version and their history keeps every version: these Studio actions are refused.
        design.MapPost("/workflow-definitions/{definitionId}/retract", () => Refused("definition.retract_refused",
            "已发布的流程不能撤回：新问题需要使用已发布的版本。请修改后发布新版本。", "A published workflow cannot be retracted: new findings need one. Publish a new version instead."));
        design.MapDelete("/workflow-definitions/{definitionId}", () => Refused("definition.delete_refused",
            "流程定义不能删除：问题的流程记录引用它。", "Workflow definitions cannot be deleted: findings' workflow records refer to them."));
        design.MapDelete("/workflow-definition-versions/{id}", () => Refused("definition.delete_refused",
            "流程版本不能删除：问题的流程记录引用它。", "Workflow versions cannot be deleted: findings' workflow records refer to them."));

        // Rectify's workflows start from a finding: the Run button gets Elsa's "cannot be started" answer.
        design.MapPost("/workflow-definitions/{definitionId}/execute", (HttpContext http) =>
        {
            http.Response.Headers["x-elsa-workflow-cannot-start"] = "true";
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "整改流程由问题启动，不能在设计器中运行。");
        });

        // Monaco's JavaScript completion: what scripts see.
        design.MapPost("/scripting/javascript/type-definitions/{definitionId}", () => Results.Text(ScriptTypings, "text/plain"));
        return api;
    }

    private const string ScriptTypings = """
        /** 当前问题 (the finding this workflow runs for) */
        declare const finding: { id: number; unitId: number; unitName: string; status: string; deadline: string; isOverdue: boolean; queuedForFollowUp: boolean; severity: string; location: string; description: string; requirement: string; };
        /** 流程变量 (the instance's variables) */
        declare const variables: Record<string, any>;
        declare function getVariable(name: string): any;
        declare function setVariable(name: string, value: any): void;
        """;

    /// <summary>Elsa's versionOptions: Latest (default), Published, or a version number (SpecificVersion is sent as "3" or "Version:3").</summary>
    private static Task<WorkflowDefinitionVersion?> FindAsync(WorkflowDefinitionStore store, string definitionId, string? versionOptions, CancellationToken ct) =>
        int.TryParse(versionOptions?.Split(':')[^1], out var number)
            ? store.GetVersionAsync(definitionId, number, ct)
            : store.GetAsync(definitionId, IsPublishedOption(versionOptions) ? VersionOptions.Published : VersionOptions.Latest, ct);

    private static async Task<IResult> SaveAsync(JsonObject model, bool publish, WorkflowDefinitionStore store, Func<WorkflowDefinitionVersion, IResult> respond, CancellationToken ct)
    {
        if (model["definitionId"] is not JsonValue id || string.IsNullOrWhiteSpace(id.GetValue<string>()))
            AsNewDefinition(model);
        try
        {
            var json = model.ToJsonString();
            return respond(publish ? await store.SaveAndPublishAsync(json, ct) : await store.SaveDraftAsync(json, ct));
        }
        catch (WorkflowDefinitionException e)
        {
            return ValidationProblem(e.Errors);
        }
    }

    /// <summary>Makes a model (a copy, an imported file) a new definition: a fresh definitionId, starting at version 1.</summary>
    public static JsonObject AsNewDefinition(JsonObject model)
    {
        model["definitionId"] = Guid.NewGuid().ToString("N")[..16];
        model.Remove("id");
        return model;
    }

    private static bool IsPublishedOption(string? options) => string.Equals(options, "Published", StringComparison.OrdinalIgnoreCase);

    /// <summary>The stored definition with the server-owned header the Studio relies on (isLatest and the publish link make it editable; nodeIds are filled as the runtime reads them).</summary>
    public static JsonObject Serve(WorkflowDefinitionVersion version, ActivityRegistry registry, OfficeClock office)
    {
        var model = JsonNode.Parse(version.Json) as JsonObject ?? new JsonObject();
        model["id"] = version.Id;
        model["definitionId"] = version.DefinitionId;
        model["version"] = version.Version;
        model["isLatest"] = version.IsLatest;
        model["isPublished"] = version.IsPublished;
        model["isReadonly"] = false;
        // In the office's zone: the Studio prints the offset it is given (version history, "created").
        model["createdAt"] = office.ToLocal(version.CreatedAt);
        model["materializerName"] = "Json";
        model["toolVersion"] ??= "3.8.0.0";
        foreach (var list in new[] { "variables", "inputs", "outputs", "outcomes" })
            model[list] ??= new JsonArray();
        model["customProperties"] ??= new JsonObject();
        model["options"] ??= new JsonObject();
        model["links"] = new JsonArray(
            new JsonObject { ["rel"] = "publish", ["href"] = $"/workflow-definitions/{version.DefinitionId}/publish", ["method"] = "POST" },
            new JsonObject { ["rel"] = "self", ["href"] = $"/workflow-definitions/by-id/{version.Id}", ["method"] = "GET" });
        if (model["root"] is JsonObject root)
        {
            var rootNodeId = root["nodeId"]?.GetValue<string>() ?? root["id"]?.GetValue<string>() ?? "root";
            root["nodeId"] = rootNodeId;
            if (root["activities"] is JsonArray activities)
                foreach (var activity in activities.OfType<JsonObject>())
                {
                    activity["nodeId"] ??= $"{rootNodeId}:{activity["id"]?.GetValue<string>()}";
                    ListsAsStudioJson(activity, registry);
                }
        }
        return model;
    }

    /// <summary>
    /// A list input edited as chips or a check list (fork branches, mail recipients) written as a literal (a comma list,
    /// as in files made before the Studio edited them, or a JSON array) is served as the Object expression holding the
    /// JSON array the Studio parses: for any other expression type the Studio's check list shows the input's default
    /// instead of the stored value, and no branch ports. The runtime reads both.
    /// </summary>
    private static void ListsAsStudioJson(JsonObject activity, ActivityRegistry registry)
    {
        if (activity["type"]?.GetValue<string>() is not { } type || !registry.TryGet(type, out var known)) return;
        foreach (var input in known.Descriptor.Inputs.Where(i => i.UiHint is UiHints.DynamicOutcomes or UiHints.CheckList))
        {
            if (activity[input.JsonName]?["expression"] is not JsonObject { } expression || expression["type"]?.GetValue<string>() != "Literal"
                || expression["value"] is not JsonValue value || !value.TryGetValue<string>(out var text))
                continue;
            expression["type"] = "Object";
            expression["value"] = JsonSerializer.Serialize(ValueConversion.To<List<string>>(text));
        }
    }

    private static object Summary(WorkflowDefinitionVersion v, OfficeClock office) => new
    {
        id = v.Id,
        definitionId = v.DefinitionId,
        name = v.Name,
        description = v.Description,
        version = v.Version,
        toolVersion = "3.8.0.0",
        isLatest = v.IsLatest,
        isPublished = v.IsPublished,
        isReadonly = false,
        materializerName = "Json",
        isMaterializerAvailable = true,
        createdAt = office.ToLocal(v.CreatedAt),
    };

    private static IResult SaveResponse(WorkflowDefinitionVersion saved, ActivityRegistry registry, OfficeClock office) =>
        ElsaJson.Ok(new { workflowDefinition = Serve(saved, registry, office), alreadyPublished = false, consumingWorkflowCount = 0 });

    /// <summary>Elsa's 400 with problem details; the Studio lists every message of <c>errors</c> in its refusal notice.</summary>
    internal static IResult ValidationProblem(IReadOnlyList<DefinitionError> errors) =>
        Results.ValidationProblem(
            errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => Lang.T(e.Message, e.MessageEn)).ToArray()),
            title: Lang.T("流程定义有误，未发布。", "The workflow definition is invalid and was not published."));

    private static IResult Refused(string code, string zh, string en) =>
        ValidationProblem([new DefinitionError("$", code, zh, en)]);
}
