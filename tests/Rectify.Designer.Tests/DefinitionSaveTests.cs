using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Mail;
using Rectify.Time;
using Rectify.Web.Tests;
using Rectify.Workflows;
using static Rectify.Designer.Tests.Studio;

namespace Rectify.Designer.Tests;

/// <summary>Saving and publishing through the Studio's calls: what it saves loads back, invalid definitions are refused, new findings follow a new version.</summary>
public sealed class DefinitionSaveTests(RectifyWebFactory app) : IClassFixture<RectifyWebFactory>
{
    /// <summary>Set by the server on every answer, as Elsa's server does.</summary>
    private static readonly string[] ServerOwned = ["id", "links", "createdAt", "isLatest", "isPublished", "version"];

    [Fact]
    public async Task A_definition_saved_in_the_captured_requests_shape_loads_back_identically()
    {
        var elsa = Elsa(app, await DesignerTokenAsync(await app.ClientAsync("supervisor")));
        var request = JsonNode.Parse(ReadSample("captured-save-request.json"))!;
        var model = request["model"]!;

        var saved = await elsa.SaveAsync(model, publish: (bool)request["publish"]!);
        Assert.Equal((false, 0), ((bool)saved["alreadyPublished"]!, (int)saved["consumingWorkflowCount"]!));
        var loaded = await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{model["definitionId"]}?versionOptions=Latest");

        // Every property the Studio sent comes back as sent (the new reminder's null typeName included) …
        foreach (var (name, value) in model.AsObject().Where(p => !ServerOwned.Contains(p.Key)))
            Assert.True(JsonNode.DeepEquals(value, loaded[name]), $"{name}: sent {value?.ToJsonString()}, loaded {loaded[name]?.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(saved["workflowDefinition"], loaded));
        // … and the server's header makes it an editable draft.
        Assert.Equal((true, false, 1), ((bool)loaded["isLatest"]!, (bool)loaded["isPublished"]!, (int)loaded["version"]!));
        Assert.Contains(loaded["links"]!.AsArray(), l => (string?)l!["rel"] == "publish");

        // Saving what was loaded changes nothing: the auto-save after a load is idempotent.
        await elsa.SaveAsync(loaded, publish: false);
        Assert.True(JsonNode.DeepEquals(loaded, await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{model["definitionId"]}?versionOptions=Latest")));
    }

    [Fact]
    public async Task Recipients_stored_as_literals_are_served_as_the_arrays_the_Studio_check_list_shows()
    {
        var elsa = Elsa(app, await DesignerTokenAsync(await app.ClientAsync("supervisor")));
        var model = (await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Published")).DeepClone();
        foreach (var owned in ServerOwned)
            model.AsObject().Remove(owned);
        model["definitionId"] = "recipients-served";
        JsonNode Recipients(JsonNode definition, string activity) =>
            definition["root"]!["activities"]!.AsArray().Single(a => (string?)a!["id"] == activity)!["recipients"]!["expression"]!;
        // A literal JSON array (a hand-edited file) and a literal comma list (the files' own form).
        Recipients(model, "mailAssigned")["type"] = "Literal";
        Recipients(model, "mailAssigned")["value"] = """["Leader"]""";
        Recipients(model, "escalate")["type"] = "Literal";
        Recipients(model, "escalate")["value"] = "Leader,Supervisors";
        await elsa.SaveAsync(model, publish: false);

        // Any other expression type makes the Studio's check list show the input's default instead.
        var loaded = await elsa.GetJsonAsync("workflow-definitions/by-definition-id/recipients-served?versionOptions=Latest");
        Assert.Equal(("Object", """["Leader"]"""), ((string?)Recipients(loaded, "mailAssigned")["type"], (string?)Recipients(loaded, "mailAssigned")["value"]));
        Assert.Equal(("Object", """["Leader","Supervisors"]"""), ((string?)Recipients(loaded, "escalate")["type"], (string?)Recipients(loaded, "escalate")["value"]));
    }

    public static TheoryData<string, string> InvalidEdits => new()
    {
        { "unknown-type", "未知的活动类型" },
        { "dangling-connection", "不存在" },
        { "missing-required-input", "必须填写" },
        { "unreachable-end", "无法到达" },
    };

    [Theory]
    [MemberData(nameof(InvalidEdits))]
    public async Task Publishing_an_invalid_definition_is_refused_and_changes_nothing(string edit, string message)
    {
        var elsa = Elsa(app, await DesignerTokenAsync(await app.ClientAsync("supervisor")));
        var before = await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Published");
        var versionsBefore = await VersionsAsync(elsa);
        var model = before.DeepClone();
        var root = model["root"]!;
        var activities = root["activities"]!.AsArray();
        var connections = root["connections"]!.AsArray();
        switch (edit)
        {
            case "unknown-type":
                activities.Add(new JsonObject { ["id"] = "mystery", ["type"] = "Rectify.NoSuchStep", ["version"] = 1 });
                break;
            case "dangling-connection":
                connections.Add(new JsonObject { ["source"] = new JsonObject { ["activity"] = "assign", ["port"] = "Done" }, ["target"] = new JsonObject { ["activity"] = "gone", ["port"] = "In" } });
                break;
            case "missing-required-input":
                activities.Single(a => (string?)a!["id"] == "mailReminder3")!.AsObject().Remove("template");
                break;
            case "unreachable-end":
                foreach (var c in connections.Where(c => (string?)c!["target"]!["activity"] == "end").ToList())
                    connections.Remove(c);
                break;
        }

        var refused = await elsa.PostAsync("workflow-definitions", System.Net.Http.Json.JsonContent.Create(new JsonObject { ["model"] = model, ["publish"] = true }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        // The shape the Studio turns into its refusal notice: problem details with the messages under "errors".
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        var messages = problem["errors"]!.AsObject().SelectMany(e => e.Value!.AsArray().Select(m => (string)m!)).ToList();
        Assert.Contains(messages, m => m.Contains(message));

        var after = await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Published");
        Assert.True(JsonNode.DeepEquals(before, after));
        Assert.True(JsonNode.DeepEquals(versionsBefore, await VersionsAsync(elsa)));

        // A draft may be incomplete: the same model saves as a draft (the Studio auto-saves while editing).
        if (edit is "missing-required-input" or "unreachable-end")
        {
            var draft = await elsa.SaveAsync(model, publish: false);
            Assert.False((bool)draft["workflowDefinition"]!["isPublished"]!);
            // The published version is untouched; only its isLatest flag now points at the draft.
            var published = await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Published");
            Assert.False((bool)published["isLatest"]!);
            published["isLatest"] = before["isLatest"]!.DeepClone();
            Assert.True(JsonNode.DeepEquals(before, published));
            await elsa.SaveAsync(before, publish: false);
        }
    }

    [Fact]
    public async Task Publishing_makes_a_new_version_that_new_findings_run_while_running_ones_keep_theirs()
    {
        var supervisor = await app.ClientAsync("supervisor");
        var auditor = await app.ClientAsync("auditor");
        var elsa = Elsa(app, await DesignerTokenAsync(supervisor));
        var published = await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Published");
        var today = app.Services.GetRequiredService<OfficeClock>().Today;
        var running = await IssueFindingAsync(app, auditor, today.AddDays(21), "发布前的问题");
        Assert.Equal((int)published["version"]!, (await InstanceOfAsync(app, running)).DefinitionVersion);

        // A third reminder two working days before the deadline, with its own reminder mail (feeding the existing mail
        // step would make that step an implicit join, which Elsa runs once both reminders have come).
        var model = published.DeepClone();
        model["root"]!["activities"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "remind2", ["nodeId"] = $"{model["root"]!["nodeId"]}:remind2", ["type"] = "Rectify.WaitUntil", ["version"] = 1,
            ["offset"] = new JsonObject { ["typeName"] = null, ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = "-2" } },
            ["metadata"] = new JsonObject { ["designer"] = new JsonObject { ["position"] = new JsonObject { ["x"] = 1000, ["y"] = 90 } } },
        });
        model["root"]!["activities"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "mailReminder2", ["nodeId"] = $"{model["root"]!["nodeId"]}:mailReminder2", ["type"] = "Rectify.SendEmail", ["version"] = 1,
            ["template"] = new JsonObject { ["typeName"] = "System.String", ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = "reminder" } },
            ["recipients"] = new JsonObject { ["typeName"] = "System.String[]", ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = "Liaison" } },
            ["metadata"] = new JsonObject { ["designer"] = new JsonObject { ["position"] = new JsonObject { ["x"] = 1200, ["y"] = 90 } } },
        });
        model["root"]!["connections"]!.AsArray().Add(Connection("mailAssigned", "Done", "remind2"));
        model["root"]!["connections"]!.AsArray().Add(Connection("remind2", "Done", "mailReminder2"));
        await elsa.SaveAsync(model, publish: false);
        var saved = await elsa.SaveAsync(model, publish: true);
        var version = (int)saved["workflowDefinition"]!["version"]!;
        Assert.Equal((int)published["version"]! + 1, version);
        Assert.True((bool)saved["workflowDefinition"]!["isPublished"]!);

        // What the runtime runs is what was saved.
        var stored = await app.WithDbAsync(db => db.Set<WorkflowDefinitionVersion>().SingleAsync(v => v.DefinitionId == DefaultDefinition && v.Version == version));
        Assert.True(JsonNode.DeepEquals(model["root"], JsonNode.Parse(stored.Json)!["root"]));

        var deadline = today.AddDays(21);
        var fresh = await IssueFindingAsync(app, auditor, deadline, "发布后的问题");
        Assert.Equal(version, (await InstanceOfAsync(app, fresh)).DefinitionVersion);
        Assert.Equal((int)published["version"]!, (await InstanceOfAsync(app, running)).DefinitionVersion);

        // The new finding gets the extra reminder at 09:00 two working days before its deadline; the old one does not.
        var calendar = app.Services.GetRequiredService<WorkingDayCalendar>();
        var due = app.Services.GetRequiredService<OfficeClock>().StartOf(calendar.Add(deadline, new WorkingDays(-2))) + TimeSpan.FromHours(9);
        await AdvanceAsync(app, due - TimeSpan.FromMinutes(1));
        var remindersBefore = await RemindersAsync(fresh);
        await AdvanceAsync(app, due);
        var reminders = await RemindersAsync(fresh);
        Assert.Equal(remindersBefore.Count + 1, reminders.Count);
        Assert.Equal(due, reminders.Max());
        Assert.DoesNotContain(due, await RemindersAsync(running));
    }

    private Task<List<DateTimeOffset>> RemindersAsync(int findingId) => app.WithDbAsync(db =>
        db.Set<OutboxMessage>().Where(m => m.FindingId == findingId && m.Template == "reminder" && m.RecipientKind == RecipientKind.Liaison)
            .Select(m => m.CreatedAt).ToListAsync());

    private static async Task<JsonNode> VersionsAsync(HttpClient elsa) =>
        await elsa.GetJsonAsync($"workflow-definitions?versionOptions=AllVersions&Page=0&PageSize=10&DefinitionIds={DefaultDefinition}&OrderBy=Version&OrderDirection=Descending");
}
