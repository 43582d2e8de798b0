using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rectify.Web.Tests;
using Rectify.Workflows;
using static Rectify.Designer.Tests.Studio;

namespace Rectify.Designer.Tests;

/// <summary>
/// The Studio's menu actions through the routes and shapes its API client (Elsa.Api.Client 3.8) uses: export, import,
/// Save As, revert, a specific version, and the refused ones (unpublish, delete) answered readably. Real app, real
/// database (SQLite, or PostgreSQL on that pass).
/// </summary>
public sealed class StudioMenuActionsTests(RectifyWebFactory app) : IClassFixture<RectifyWebFactory>
{
    [Fact]
    public async Task Export_then_import_makes_a_new_definition_with_the_same_flow_and_import_with_an_id_replaces_the_draft()
    {
        var elsa = Elsa(app, await DesignerTokenAsync(await app.ClientAsync("supervisor")));
        var published = await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Published");

        // GET …/export?versionOptions=…&includeConsumingWorkflows=… → a JSON file (the Studio saves it under the header's name).
        var export = await elsa.GetAsync($"workflow-definitions/{DefaultDefinition}/export?versionOptions={published["version"]}&includeConsumingWorkflows=False");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/json", export.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{DefaultDefinition}-v{published["version"]}.json", export.Content.Headers.ContentDisposition?.FileNameStar ?? export.Content.Headers.ContentDisposition?.FileName);
        var file = JsonNode.Parse(await export.Content.ReadAsStringAsync())!;
        Assert.Null(file["links"]);
        Assert.True(JsonNode.DeepEquals(published["root"], file["root"]));
        Assert.Equal(HttpStatusCode.NotFound, (await elsa.GetAsync("workflow-definitions/nope/export")).StatusCode);

        // POST /workflow-definitions/import with the file's model and no definitionId: a new definition, draft v1, same flow.
        var model = file.DeepClone().AsObject();
        model.Remove("definitionId");
        model["name"] = "导入的整改流程";
        var imported = await elsa.PostJsonAsync("workflow-definitions/import", model);
        var newId = (string)imported["definitionId"]!;
        Assert.NotEqual(DefaultDefinition, newId);
        Assert.Equal((1, true, false, "导入的整改流程"), ((int)imported["version"]!, (bool)imported["isLatest"]!, (bool)imported["isPublished"]!, (string?)imported["name"]));
        Assert.True(JsonNode.DeepEquals(published["root"], imported["root"]));
        Assert.Contains(imported["links"]!.AsArray(), l => (string?)l!["rel"] == "publish");
        // It publishes as it is, and the definitions list shows both.
        Assert.True((bool)(await elsa.PostJsonAsync($"workflow-definitions/{newId}/publish", new { }))["workflowDefinition"]!["isPublished"]!);
        var list = (await elsa.GetJsonAsync("workflow-definitions?versionOptions=Latest"))["items"]!.AsArray();
        Assert.Subset(list.Select(d => (string)d!["definitionId"]!).ToHashSet(), new HashSet<string> { DefaultDefinition, newId });

        // The editor's Import names the open definition: its contents become that definition's new draft.
        var replacing = file.DeepClone().AsObject();
        replacing["definitionId"] = newId;
        replacing["description"] = "从文件导入";
        var draft = await elsa.PostJsonAsync("workflow-definitions/import", replacing);
        Assert.Equal((newId, 2, false, "从文件导入"), ((string?)draft["definitionId"], (int)draft["version"]!, (bool)draft["isPublished"]!, (string?)draft["description"]));

        // A file that is not a workflow is refused with the reason, in Chinese.
        var bad = await elsa.PostAsJsonAsync("workflow-definitions/import", new { name = "坏文件", root = new { type = "Elsa.Flowchart" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("activities", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Save_as_copies_the_open_flow_into_a_new_definition()
    {
        var elsa = Elsa(app, await DesignerTokenAsync(await app.ClientAsync("supervisor")));
        var latest = await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Latest");

        // The Studio's clone: name, description, root, variables… and no id nor definitionId.
        var copy = new JsonObject
        {
            ["name"] = "整改流程（副本）", ["description"] = (string?)latest["description"], ["root"] = latest["root"]!.DeepClone(),
            ["variables"] = new JsonArray(), ["inputs"] = new JsonArray(), ["outputs"] = new JsonArray(), ["outcomes"] = new JsonArray(),
            ["options"] = new JsonObject(), ["customProperties"] = new JsonObject(), ["isReadonly"] = false, ["version"] = 0,
        };
        var saved = (await elsa.SaveAsync(copy, publish: false))["workflowDefinition"]!;
        var id = (string)saved["definitionId"]!;
        Assert.NotEqual(DefaultDefinition, id);
        Assert.Equal((1, "整改流程（副本）"), ((int)saved["version"]!, (string?)saved["name"]));
        Assert.True(JsonNode.DeepEquals(latest["root"], (await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{id}?versionOptions=Latest"))["root"]));
        // The source is untouched.
        Assert.True(JsonNode.DeepEquals(latest, await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Latest")));
    }

    [Fact]
    public async Task Revert_makes_the_chosen_versions_flow_the_draft_and_answers_its_summary()
    {
        var elsa = Elsa(app, await DesignerTokenAsync(await app.ClientAsync("supervisor")));
        var v1 = await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Published");
        var changed = v1.DeepClone();
        changed["root"]!["activities"]!.AsArray().Single(a => (string?)a!["id"] == "remind3")!["offset"]!["expression"]!["value"] = "-4";
        var v2 = (await elsa.SaveAsync(changed, publish: true))["workflowDefinition"]!;
        Assert.Equal((int)v1["version"]! + 1, (int)v2["version"]!);

        // POST …/revert/{version} → WorkflowDefinitionSummary; the Studio then loads it by id.
        var summary = await elsa.PostJsonAsync($"workflow-definitions/{DefaultDefinition}/revert/{v1["version"]}", new { });
        foreach (var field in new[] { "id", "definitionId", "name", "version", "isLatest", "isPublished", "materializerName", "createdAt" })
            Assert.True(summary.AsObject().ContainsKey(field), field);
        Assert.Equal(((int)v2["version"]! + 1, true, false), ((int)summary["version"]!, (bool)summary["isLatest"]!, (bool)summary["isPublished"]!));
        var reverted = await elsa.GetJsonAsync($"workflow-definitions/by-id/{summary["id"]}");
        Assert.True(JsonNode.DeepEquals(v1["root"], reverted["root"]));
        // Findings keep the published v2 until the reverted draft is published.
        Assert.Equal((int)v2["version"]!, (int)(await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Published"))["version"]!);

        // A specific version, as the version viewer asks for it.
        Assert.Equal("-4", (string?)(await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions={v2["version"]}"))["root"]!["activities"]!
            .AsArray().Single(a => (string?)a!["id"] == "remind3")!["offset"]!["expression"]!["value"]);
        Assert.Equal(HttpStatusCode.NotFound, (await elsa.PostAsJsonAsync($"workflow-definitions/{DefaultDefinition}/revert/99", new { })).StatusCode);
    }

    [Fact]
    public async Task Unpublish_and_delete_are_refused_in_Chinese_and_change_nothing()
    {
        var elsa = Elsa(app, await DesignerTokenAsync(await app.ClientAsync("supervisor")));
        var versions = await app.WithDbAsync(db => db.Set<WorkflowDefinitionVersion>().AsNoTracking().OrderBy(v => v.Id).ToListAsync());
        var published = versions.Single(v => v.DefinitionId == DefaultDefinition && v.IsPublished);

        foreach (var refused in new[]
        {
            await elsa.PostAsJsonAsync($"workflow-definitions/{DefaultDefinition}/retract", new { }),
            await elsa.DeleteAsync($"workflow-definitions/{DefaultDefinition}"),
            await elsa.DeleteAsync($"workflow-definition-versions/{published.Id}"),
        })
        {
            var problem = await JsonAsync(refused, HttpStatusCode.BadRequest);
            var messages = problem["errors"]!.AsObject().SelectMany(e => e.Value!.AsArray().Select(m => (string)m!)).ToList();
            Assert.Contains(messages, m => m.Contains("问题"));
        }
        var after = await app.WithDbAsync(db => db.Set<WorkflowDefinitionVersion>().AsNoTracking().OrderBy(v => v.Id).ToListAsync());
        Assert.Equal(versions.Select(v => (v.Id, v.IsPublished, v.IsLatest)), after.Select(v => (v.Id, v.IsPublished, v.IsLatest)));
    }

    [Fact]
    public async Task A_definition_with_an_activity_we_do_not_run_is_drawn_and_named_on_the_page()
    {
        var supervisor = await app.ClientAsync("supervisor");
        var elsa = Elsa(app, await DesignerTokenAsync(supervisor));
        var model = (await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Latest")).DeepClone().AsObject();
        model.Remove("id");
        model["definitionId"] = "with-http";
        model["root"]!["activities"]!.AsArray().Add(new JsonObject { ["id"] = "http", ["type"] = "Elsa.HttpEndpoint", ["version"] = 1 });
        model["root"]!["connections"]!.AsArray().Add(new JsonObject
        {
            ["source"] = new JsonObject { ["activity"] = "http", ["port"] = "Done" },
            ["target"] = new JsonObject { ["activity"] = "end", ["port"] = "In" },
        });
        await elsa.SaveAsync(model, publish: false);

        // The Studio draws it from a descriptor (not in the toolbox) with its outgoing port…
        var descriptor = (await elsa.GetJsonAsync("descriptors/activities"))["items"]!.AsArray().Single(d => (string?)d!["typeName"] == "Elsa.HttpEndpoint")!;
        Assert.False((bool)descriptor["isBrowsable"]!);
        Assert.Contains("不支持", (string?)descriptor["displayName"]);
        Assert.Equal(["Done"], descriptor["ports"]!.AsArray().Select(p => (string)p!["name"]!));
        // … the page names it above the canvas, and publishing is refused naming it.
        var page = await (await supervisor.GetAsync("/designer/workflows/definitions/with-http/edit")).Content.ReadAsStringAsync();
        Assert.Matches("class=\"studio-warning\"[^>]*>[^<]*Elsa.HttpEndpoint", page);
        var refused = await elsa.SaveAsync(model, publish: true, HttpStatusCode.BadRequest);
        Assert.Contains("Elsa.HttpEndpoint", refused.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    [Fact]
    public async Task A_published_workflow_usable_as_an_activity_is_in_the_toolbox_and_a_dropped_one_publishes()
    {
        var supervisor = await app.ClientAsync("supervisor");
        var elsa = Elsa(app, await DesignerTokenAsync(supervisor));
        var model = (await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Latest")).DeepClone().AsObject();
        model.Remove("id");
        model["definitionId"] = "greet-unit";
        model["name"] = "greet unit";
        model["inputs"] = new JsonArray(new JsonObject { ["name"] = "Who", ["type"] = "String" });
        model["outputs"] = new JsonArray(new JsonObject { ["name"] = "Greeting", ["type"] = "String" });
        model["options"] = new JsonObject { ["usableAsActivity"] = true };
        model["root"] = new JsonObject
        {
            ["type"] = "Elsa.Flowchart", ["id"] = "greet-root",
            ["activities"] = new JsonArray(new JsonObject { ["id"] = "start", ["type"] = "Elsa.Start", ["version"] = 1 }),
            ["connections"] = new JsonArray(),
        };
        var published = (await elsa.SaveAsync(model, publish: true))["workflowDefinition"]!;

        // Described as Elsa describes a workflow used as an activity; the Studio copies the construction properties onto a dropped node.
        var descriptor = (await elsa.GetJsonAsync("descriptors/activities"))["items"]!.AsArray().Single(d => (string?)d!["typeName"] == "GreetUnit")!;
        Assert.True((bool)descriptor["isBrowsable"]!);
        Assert.Equal("子流程", (string?)descriptor["category"]);
        Assert.Equal(["Who"], descriptor["inputs"]!.AsArray().Select(i => (string)i!["name"]!));
        Assert.Equal(["Greeting"], descriptor["outputs"]!.AsArray().Select(i => (string)i!["name"]!));
        Assert.Equal(["Done"], descriptor["ports"]!.AsArray().Select(p => (string)p!["name"]!));
        var construction = descriptor["constructionProperties"]!;
        Assert.Equal(("greet-unit", $"greet-unit:v{published["version"]}"), ((string?)construction["WorkflowDefinitionId"], (string?)construction["WorkflowDefinitionVersionId"]));

        // A definition holding such a node, as the Studio drops it, opens without a warning and publishes.
        var consumer = (await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Latest")).DeepClone().AsObject();
        consumer.Remove("id");
        consumer["definitionId"] = "uses-greet";
        consumer["root"]!["activities"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "greet", ["type"] = "GreetUnit", ["version"] = construction["Version"]!.DeepClone(),
            ["workflowDefinitionId"] = "greet-unit", ["workflowDefinitionVersionId"] = construction["WorkflowDefinitionVersionId"]!.DeepClone(),
            ["who"] = new JsonObject { ["typeName"] = "String", ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = "联络人" } },
        });
        Assert.True((bool)(await elsa.SaveAsync(consumer, publish: true))["workflowDefinition"]!["isPublished"]!);
        var page = await (await supervisor.GetAsync("/designer/workflows/definitions/uses-greet/edit")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("class=\"studio-warning\"", page);

        // Elsa.Switch's cases are edited with the Studio's switch editor (one embedded port per case).
        var cases = (await elsa.GetJsonAsync("descriptors/activities"))["items"]!.AsArray().Single(d => (string?)d!["typeName"] == "Elsa.Switch")!["inputs"]!.AsArray()
            .Single(i => (string?)i!["name"] == "Cases")!;
        Assert.Equal(("switch-editor", false), ((string?)cases["uiHint"], (bool)cases["isWrapped"]!));
    }
}
