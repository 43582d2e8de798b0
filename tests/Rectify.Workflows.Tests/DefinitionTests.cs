using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>Elsa 3 definition JSON: parsing with paths, lossless storage, draft and published versions, validation at publish.</summary>
public class DefinitionTests
{
    private static string DefaultJson => File.ReadAllText(Path.Combine(RepoRoot, "workflows", "rectification.json"));

    [Fact]
    public void Malformed_json_is_refused_with_the_path_of_the_fault()
    {
        const string json = """
            {"definitionId": "x", "root": {"type": "Elsa.Flowchart", "activities": [
              {"id": "a", "type": "Elsa.Start"},
              {"id": , "type": "Elsa.End"}
            ]}}
            """;
        var error = Assert.Single(Assert.Throws<WorkflowDefinitionException>(() => DefinitionParser.Parse(json)).Errors);
        Assert.Equal("$.root.activities[1].id", error.Path);
        Assert.Equal("json.syntax", error.Code);
        Assert.Contains("line 3", error.MessageEn);
    }

    [Fact]
    public void A_wrong_shape_is_refused_with_paths()
    {
        const string json = """{"definitionId": "x", "root": {"type": "Elsa.Flowchart", "activities": [{"id": "a"}, {"type": "Elsa.End"}], "connections": [{"source": {}, "target": {"activity": "a"}}]}}""";
        var errors = Assert.Throws<WorkflowDefinitionException>(() => DefinitionParser.Parse(json)).Errors;
        Assert.Equal(["$.root.activities[0].type", "$.root.activities[1].id", "$.root.connections[0].source.activity"], errors.Select(e => e.Path));
    }

    [Fact]
    public void The_default_definition_parses_and_validates()
    {
        var definition = DefinitionParser.Parse(DefaultJson);
        Assert.Equal("rectification", definition.DefinitionId);
        Assert.All(definition.Activities, a => Assert.StartsWith("rectification:root:", a.NodeId));
        var validator = new DefinitionValidator(new ActivityRegistry(ActivityRegistry.BuiltIn()));
        Assert.Empty(validator.Validate(definition));
    }

    [Fact]
    public async Task Load_then_save_gives_the_same_document_and_versions_are_kept()
    {
        await using var database = await CreateAsync();
        await using var scope = database.Scope(Testing.Sample.Supervisor);
        var store = scope.ServiceProvider.GetRequiredService<WorkflowDefinitionStore>();
        // The designer's own save request, with designer metadata and unknown properties.
        var studio = File.ReadAllText(Path.Combine(RepoRoot, "tests", "Rectify.Workflows.Tests", "Fixtures", "captured-save-request.json"));
        var json = DefaultJson.Replace("\"definitionId\": \"rectification\"", "\"definitionId\": \"copy\"");
        var draft = await store.SaveDraftAsync(json);
        Assert.Equal(1, draft.Version);
        Assert.False(draft.IsPublished);
        Assert.Equal(json, (await store.GetAsync("copy"))!.Json);

        await store.PublishAsync("copy");
        var second = await store.SaveDraftAsync(json.Replace("\"x\": 1000", "\"x\": 1010"));
        Assert.Equal(2, second.Version);
        Assert.Equal([2, 1], (await store.ListVersionsAsync("copy")).Select(v => v.Version));
        Assert.Equal(1, (await store.GetAsync("copy", VersionOptions.Published))!.Version);
        Assert.Contains("\"x\": 1010", (await store.GetAsync("copy"))!.Json);

        // The Studio's captured request body saves as is, model wrapper and all.
        var studioDraft = await store.SaveDraftAsync(studio);
        Assert.Equal(studio, (await store.GetByIdAsync(studioDraft.Id))!.Json);
    }

    [Fact]
    public async Task Unknown_types_dangling_connections_missing_inputs_and_unreachable_ends_are_refused_at_publish()
    {
        await using var database = await CreateAsync();
        await using var scope = database.Scope(Testing.Sample.Supervisor);
        var store = scope.ServiceProvider.GetRequiredService<WorkflowDefinitionStore>();
        var doc = JsonNode.Parse(DefaultJson)!;
        doc["definitionId"] = "broken";
        var activities = doc["root"]!["activities"]!.AsArray();
        var connections = doc["root"]!["connections"]!.AsArray();
        activities.Add(JsonNode.Parse("""{"id": "mystery", "type": "Rectify.Teleport", "version": 1}"""));
        activities.Add(JsonNode.Parse("""{"id": "lonelyEnd", "type": "Elsa.End", "version": 1}"""));
        activities.Add(JsonNode.Parse("""{"id": "nap", "type": "Elsa.Delay", "version": 1}"""));
        connections.Add(JsonNode.Parse("""{"source": {"activity": "review", "port": "Accepted"}, "target": {"activity": "nowhere", "port": "In"}}"""));
        connections.Add(JsonNode.Parse("""{"source": {"activity": "review", "port": "Maybe"}, "target": {"activity": "close", "port": "In"}}"""));
        var draft = await store.SaveDraftAsync(doc.ToJsonString());

        var refused = await Assert.ThrowsAsync<WorkflowDefinitionException>(() => store.PublishAsync("broken"));
        var n = activities.Count;
        var c = connections.Count;
        Assert.Equal(
        [
            ($"$.root.activities[{n - 3}].type", "activity.unknown_type"),
            ($"$.root.activities[{n - 1}].timeSpan", "input.required"),
            ($"$.root.connections[{c - 2}].target.activity", "connection.dangling_target"),
            ($"$.root.connections[{c - 1}].source.port", "connection.unknown_port"),
            ($"$.root.activities[{n - 2}]", "activity.unreachable_end"),
        ], refused.Errors.Select(e => (e.Path, e.Code)));
        Assert.False((await store.GetByIdAsync(draft.Id))!.IsPublished);
        Assert.Equal(refused.Errors, await store.ValidateAsync(doc.ToJsonString()));
    }
}
