using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rectify.Web.Tests;
using static Rectify.Designer.Tests.Studio;

namespace Rectify.Designer.Tests;

/// <summary>
/// Every call Elsa Studio's editor and instance viewer make (../shared/elsa-studio/README.md) answered in the
/// Studio's shapes by the real app on a real SQLite file, and refused to anyone without the right token.
/// </summary>
public sealed class ElsaApiTests(RectifyWebFactory app) : IClassFixture<RectifyWebFactory>
{
    [Fact]
    public async Task Editor_calls_answer_in_the_Studios_shapes()
    {
        var supervisor = await app.ClientAsync("supervisor");
        var page = await (await supervisor.GetAsync($"/designer/workflows/definitions/{DefaultDefinition}/edit")).Content.ReadAsStringAsync();
        Assert.Contains($"<elsa-workflow-definition-editor definition-id=\"{DefaultDefinition}\" remote-endpoint=\"http://localhost/elsa/api\"", page);
        Assert.DoesNotContain("fonts.googleapis", page);
        var elsa = Elsa(app, await DesignerTokenAsync(supervisor));

        // 1. The definition: editable (isLatest + publish link), every activity with a nodeId.
        var definition = await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Latest");
        Assert.Equal(DefaultDefinition, (string?)definition["definitionId"]);
        Assert.True((bool)definition["isLatest"]!);
        Assert.Equal("Json", (string?)definition["materializerName"]);
        Assert.Contains(definition["links"]!.AsArray(), l => (string?)l!["rel"] == "publish");
        foreach (var field in new[] { "id", "name", "description", "createdAt", "version", "toolVersion", "isPublished", "isReadonly", "variables", "inputs", "outputs", "outcomes", "customProperties", "options", "root" })
            Assert.True(definition.AsObject().ContainsKey(field), field);
        var root = definition["root"]!;
        Assert.Equal("Elsa.Flowchart", (string?)root["type"]);
        Assert.NotNull((string?)root["nodeId"]);
        var activities = root["activities"]!.AsArray();
        Assert.All(activities, a => Assert.StartsWith((string)root["nodeId"]! + ":", (string?)a!["nodeId"]));
        Assert.True((bool)(await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?VersionOptions=Published"))["isPublished"]!);

        // 2. Activity descriptors: every runtime type, Chinese names, categories, named ports, inputs with UI hints.
        var descriptors = (await elsa.GetJsonAsync("descriptors/activities?Refresh=True"))["items"]!.AsArray();
        var byType = descriptors.ToDictionary(d => (string)d!["typeName"]!, d => d!);
        foreach (var type in activities.Select(a => (string)a!["type"]!).Distinct())
            Assert.True(byType.ContainsKey(type), $"no descriptor for {type}");
        Assert.False((bool)byType["Elsa.Flowchart"]["isBrowsable"]!);
        Assert.True((bool)byType["Elsa.Flowchart"]["isContainer"]!);
        var waitUntil = byType["Rectify.WaitUntil"];
        Assert.Equal("等到期限前后", (string?)waitUntil["displayName"]);
        Assert.Equal("整改", (string?)waitUntil["category"]);
        Assert.Equal("Task", (string?)waitUntil["kind"]);
        Assert.False(string.IsNullOrEmpty((string?)waitUntil["description"]));
        Assert.Equal(["Done", "Skipped"], waitUntil["ports"]!.AsArray().Select(p => (string)p!["name"]!));
        Assert.Equal(["完成", "跳过"], waitUntil["ports"]!.AsArray().Select(p => (string)p!["displayName"]!));
        Assert.All(waitUntil["ports"]!.AsArray(), p => Assert.Equal("Flow", (string?)p!["type"]));
        var offset = waitUntil["inputs"]!.AsArray().Single(i => (string?)i!["name"] == "Offset")!;
        Assert.Equal(("System.Int32", "singleline", "-3", true, true, "Literal"),
            ((string?)offset["typeName"], (string?)offset["uiHint"], (string?)offset["defaultValue"], (bool)offset["isWrapped"]!, (bool)offset["isBrowsable"]!, (string?)offset["defaultSyntax"]));
        Assert.Equal("相对期限的工作日", (string?)offset["displayName"]);
        var sendEmail = byType["Rectify.SendEmail"]["inputs"]!.AsArray();
        var templates = sendEmail.Single(i => (string?)i!["name"] == "Template")!;
        Assert.Equal("dropdown", (string?)templates["uiHint"]);
        // Props under the hint's own name, as the Studio looks them up (DropDownProps, CheckListProps); the real templates.
        Assert.Equal(["assigned", "comment", "deadline-changed", "digest", "extension-decided", "notice-unit", "overdue", "reminder", "report-accepted", "report-returned", "report-submitted"],
            templates["uiSpecifications"]!["dropdown"]!["selectList"]!["items"]!.AsArray().Select(i => (string)i!["value"]!));
        Assert.Contains("催办提醒 (reminder)", templates["uiSpecifications"]!["dropdown"]!["selectList"]!["items"]!.AsArray().Select(i => (string)i!["text"]!));
        var recipients = sendEmail.Single(i => (string?)i!["name"] == "Recipients")!;
        Assert.Equal("checklist", (string?)recipients["uiHint"]);
        var checkList = recipients["uiSpecifications"]!["checklist"]!["checkList"]!["items"]!.AsArray();
        Assert.Equal(["Liaison", "Leader", "Supervisors", "Auditors"], checkList.Select(i => (string)i!["value"]!));
        Assert.Contains("责任单位负责人", checkList.Select(i => (string)i!["text"]!));
        Assert.All(checkList, i => Assert.False((bool)i!["isChecked"]!));
        // The default as a JSON array (the Studio re-serializes it: a string holding the array would not parse).
        Assert.Equal(["Liaison"], recipients["defaultValue"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(["Leader", "Supervisors"], byType["Rectify.Escalate"]["inputs"]!.AsArray().Single(i => (string?)i!["name"] == "Recipients")!["defaultValue"]!.AsArray().Select(v => (string)v!));

        // Enumerations as dropdowns; fork branches and switch cases as the editors that make one port per entry.
        var joinMode = byType["Elsa.FlowJoin"]["inputs"]!.AsArray().Single(i => (string?)i!["name"] == "Mode")!;
        Assert.Equal("dropdown", (string?)joinMode["uiHint"]);
        Assert.Contains("WaitAll", joinMode["uiSpecifications"]!["dropdown"]!["selectList"]!["items"]!.AsArray().Select(i => (string)i!["value"]!));
        var switchInputs = byType["Elsa.FlowSwitch"]["inputs"]!.AsArray();
        Assert.Equal("dropdown", (string?)switchInputs.Single(i => (string?)i!["name"] == "Mode")!["uiHint"]);
        var cases = switchInputs.Single(i => (string?)i!["name"] == "Cases")!;
        Assert.Equal(("flow-switch-editor", false), ((string?)cases["uiHint"], (bool)cases["isWrapped"]!));
        var branches = byType["Elsa.FlowFork"]["inputs"]!.AsArray().Single(i => (string?)i!["name"] == "Branches")!;
        Assert.Equal(("dynamic-outcomes", true), ((string?)branches["uiHint"], (bool)branches["isWrapped"]!));
        // Containers show the activities they hold as embedded ports, as Elsa's descriptors do.
        Assert.Equal([("Done", "Flow"), ("Then", "Embedded"), ("Else", "Embedded")], byType["Elsa.If"]["ports"]!.AsArray().Select(p => ((string)p!["name"]!, (string)p["type"]!)));
        Assert.Equal([("Done", "Flow"), ("Body", "Embedded")], byType["Elsa.ForEach"]["ports"]!.AsArray().Select(p => ((string)p!["name"]!, (string)p["type"]!)));
        Assert.Equal("datetime-picker", (string?)byType["Elsa.StartAt"]["inputs"]![0]!["uiHint"]);
        Assert.Equal("checkbox", (string?)waitUntil["inputs"]!.AsArray().Single(i => (string?)i!["name"] == "SkipWhenReportIn")!["uiHint"]);

        // 3. Expression types: Literal, JavaScript, Liquid (the editor crashes without a non-literal one).
        var expressions = (await elsa.GetJsonAsync("descriptors/expression-descriptors"))["items"]!.AsArray();
        Assert.Equal(["JavaScript", "Liquid", "Literal"], expressions.Select(e => (string)e!["type"]!));
        Assert.Equal("javascript", (string?)expressions.Single(e => (string?)e!["type"] == "JavaScript")!["properties"]!["MonacoLanguage"]);
        Assert.All(expressions, e => Assert.True((bool)e!["isBrowsable"]! && (bool)e["isSerializable"]!));

        // 4, 5, 7. Strategies {typeName, displayName, description}; 6. features (none); 8. commit strategies {name, …}.
        foreach (var path in new[] { "descriptors/workflow-activation-strategies", "descriptors/log-persistence-strategies", "descriptors/incident-strategies" })
        {
            var list = await elsa.GetJsonAsync(path);
            Assert.True((int)list["count"]! > 0, path);
            Assert.All(list["items"]!.AsArray(), s => Assert.True(s!["typeName"] is not null && s["displayName"] is not null && s["description"] is not null, path));
        }
        Assert.Equal(0, (int)(await elsa.GetJsonAsync("features/installed"))["count"]!);
        Assert.Empty((await elsa.GetJsonAsync("descriptors/commit-strategies/workflows"))["items"]!.AsArray());
        Assert.Empty((await elsa.GetJsonAsync("descriptors/commit-strategies/activities"))["items"]!.AsArray());

        // Variables tab: storage drivers and variable types.
        var driver = (await elsa.GetJsonAsync("descriptors/storage-drivers"))["items"]![0]!;
        Assert.Equal((0, false), ((int)driver["priority"]!, (bool)driver["deprecated"]!));
        Assert.NotNull((string?)driver["typeName"]);
        var variableTypes = (await elsa.GetJsonAsync("descriptors/variables"))["items"]!.AsArray();
        Assert.Contains(variableTypes, v => (string?)v!["typeName"] == "String" && (string?)v["category"] is not null && (string?)v["displayName"] == "文本");

        // Version history, as the Studio asks for it (PascalCase query names).
        var versions = await elsa.GetJsonAsync($"workflow-definitions?versionOptions=AllVersions&Page=0&PageSize=10&DefinitionIds={DefaultDefinition}&OrderBy=Version&OrderDirection=Descending");
        var first = versions["items"]![0]!;
        Assert.Equal(1, (int)versions["totalCount"]!);
        foreach (var field in new[] { "id", "definitionId", "name", "description", "version", "isLatest", "isPublished", "materializerName", "isMaterializerAvailable", "createdAt" })
            Assert.True(first.AsObject().ContainsKey(field), field);
        // The Studio prints the time as given: in the office's zone.
        Assert.EndsWith("+08:00", (string)first["createdAt"]!);

        // The Run button: nothing starts, the Studio shows its "cannot be started" message.
        var run = await elsa.PostAsJsonAsync($"workflow-definitions/{DefaultDefinition}/execute", new { versionOptions = "Latest" });
        Assert.Equal("true", run.Headers.GetValues("x-elsa-workflow-cannot-start").Single());
        Assert.False(run.Headers.Contains("x-elsa-workflow-instance-id"));
    }

    [Fact]
    public async Task Viewer_calls_answer_for_a_findings_instance()
    {
        var auditor = await app.ClientAsync("auditor");
        var findingId = await IssueFindingAsync(app, auditor, new DateOnly(2026, 3, 20), "查看器接口测试");
        var instance = await InstanceOfAsync(app, findingId);
        var token = await TokenFromPageAsync(auditor, $"/designer/workflows/instances/{instance.Id}/view");
        var elsa = Elsa(app, token);

        // 1. The instance, with a workflowState whose root context names the flowchart's node.
        var shown = await elsa.GetJsonAsync($"workflow-instances/{instance.Id}");
        Assert.Equal(("Running", "Suspended", findingId.ToString(CultureInfo.InvariantCulture)), ((string?)shown["status"], (string?)shown["subStatus"], (string?)shown["correlationId"]));
        Assert.Equal(instance.DefinitionVersionId, (string?)shown["definitionVersionId"]);
        var rootContext = shown["workflowState"]!["activityExecutionContexts"]!.AsArray().Single(c => c!["parentContextId"] is null)!;
        var definition = await elsa.GetJsonAsync($"workflow-definitions/by-id/{instance.DefinitionVersionId}");
        Assert.Equal((string?)definition["root"]!["nodeId"], (string?)rootContext["scheduledActivityNodeId"]);
        Assert.Empty(shown["workflowState"]!["incidents"]!.AsArray());

        // 4. The journal, filtered by the server, in sequence.
        var nodeIds = definition["root"]!["activities"]!.AsArray().Select(a => (string)a!["nodeId"]!).ToList();
        var journal = await elsa.PostJsonAsync($"workflow-instances/{instance.Id}/journal?skip=0&take=110",
            new { filter = new { activityNodeIds = nodeIds, excludedActivityTypes = new[] { "Elsa.Workflow", "Elsa.Flowchart" } } });
        var entries = journal["items"]!.AsArray();
        Assert.Equal((int)journal["totalCount"]!, entries.Count);
        Assert.Equal(entries.Select(e => (long)e!["sequence"]!).Order(), entries.Select(e => (long)e!["sequence"]!));
        Assert.Contains(entries, e => (string?)e!["activityId"] == "assign" && (string?)e["eventName"] == "Completed" && (int)e["activityTypeVersion"]! == 1);
        Assert.Contains(entries, e => (string?)e!["activityId"] == "waitReport" && (string?)e["eventName"] == "Suspended");
        var onlyAssign = await elsa.PostJsonAsync($"workflow-instances/{instance.Id}/journal?skip=0&take=110",
            new { filter = new { activityNodeIds = nodeIds.Where(n => n.EndsWith(":assign", StringComparison.Ordinal)).ToArray() } });
        Assert.All(onlyAssign["items"]!.AsArray(), e => Assert.Equal("assign", (string?)e!["activityId"]));

        // 9. The report behind the badges: assign done (green), waitReport blocked (orange).
        var report = await elsa.PostJsonAsync("activity-executions/report", new { workflowInstanceId = instance.Id, activityNodeIds = nodeIds });
        var stats = report["stats"]!.AsArray().ToDictionary(s => (string)s!["activityId"]!, s => s!);
        Assert.Equal((1, 1, 0, false, false), Stat(stats["assign"]));
        Assert.Equal((1, 0, 1, true, false), Stat(stats["waitReport"]));
        Assert.DoesNotContain("close", stats.Keys);

        // 6, 7, 11, 12. Executions, summaries, one record by id (inputs as evaluated, outcomes), its call stack.
        var waitNode = nodeIds.Single(n => n.EndsWith(":remind3", StringComparison.Ordinal));
        var executions = await elsa.GetJsonAsync($"activity-executions/list?WorkflowInstanceId={instance.Id}&ActivityNodeId={waitNode}");
        Assert.Equal(1, (int)executions["count"]!);
        var summaries = await elsa.GetJsonAsync($"activity-execution-summaries/list?WorkflowInstanceId={instance.Id}&ActivityNodeId={waitNode}");
        var summary = summaries["items"]![0]!;
        Assert.Equal(("Running", true), ((string?)summary["status"], (bool)summary["hasBookmarks"]!));
        var record = await elsa.GetJsonAsync($"activity-executions/by-id?id={summary["id"]}");
        Assert.Equal(-3, (int)record["activityState"]!["Offset"]!);
        Assert.Equal("Rectify.WaitUntil", (string?)record["activityType"]);
        Assert.NotNull(record["payload"]!["ResumeAt"]);
        var assignRecord = await elsa.GetJsonAsync($"activity-executions/list?WorkflowInstanceId={instance.Id}&ActivityNodeId={nodeIds.Single(n => n.EndsWith(":assign", StringComparison.Ordinal))}");
        Assert.Equal(["Done"], assignRecord["items"]![0]!["payload"]!["Outcomes"]!.AsArray().Select(o => (string)o!));
        var stack = await elsa.GetJsonAsync($"activity-executions/{summary["id"]}/call-stack?includeCrossWorkflowChain=True");
        Assert.Equal((string?)summary["id"], (string?)stack["activityExecutionId"]);
        Assert.Equal(1, (int)stack["totalCount"]!);

        // 8, 10. Variables and the polled execution state.
        Assert.Equal(0, (int)(await elsa.GetJsonAsync($"workflow-instances/{instance.Id}/variables"))["count"]!);
        var state = await elsa.GetJsonAsync($"workflow-instances/{instance.Id}/execution-state");
        Assert.Equal(("Running", "Suspended"), ((string?)state["status"], (string?)state["workflowSubStatus"]));
        Assert.NotNull(state["updatedAt"]);

        // 2, 5. Descriptors and features, which the viewer fetches too.
        Assert.NotEmpty((await elsa.GetJsonAsync("descriptors/activities?Refresh=True"))["items"]!.AsArray());
        Assert.Equal(0, (int)(await elsa.GetJsonAsync("features/installed"))["count"]!);
    }

    [Fact]
    public async Task Only_supervisors_design_and_viewers_read_only_their_instance()
    {
        // No token, a forged token: 401 on every call.
        foreach (var token in new[] { null, "not-a-token" })
        {
            var anonymous = Elsa(app, token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("descriptors/activities")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("workflow-definitions", new { model = new { }, publish = true })).StatusCode);
        }

        // The editor page and its token are the supervisor's alone.
        var auditor = await app.ClientAsync("auditor");
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync($"/designer/workflows/definitions/{DefaultDefinition}/edit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync("/workflows")).StatusCode);
        var liaison = await app.ClientAsync("jyj");
        Assert.Equal(HttpStatusCode.Forbidden, (await liaison.GetAsync($"/designer/workflows/definitions/{DefaultDefinition}/edit")).StatusCode);

        // A viewer token (auditor) reads its instance but cannot design: 403.
        var findingId = await IssueFindingAsync(app, auditor, new DateOnly(2026, 3, 27), "权限测试");
        var instance = await InstanceOfAsync(app, findingId);
        var viewer = Elsa(app, await TokenFromPageAsync(auditor, $"/designer/workflows/instances/{instance.Id}/view"));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"workflow-instances/{instance.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("workflow-definitions?versionOptions=AllVersions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("workflow-definitions", new { model = new { definitionId = "x" }, publish = false })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"workflow-definitions/{DefaultDefinition}/publish", new { })).StatusCode);

        // The finding's liaison sees its instance; another unit's liaison gets 404, and a token for one instance reads no other.
        var own = Elsa(app, await TokenFromPageAsync(liaison, $"/designer/workflows/instances/{instance.Id}/view"));
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync($"workflow-instances/{instance.Id}/execution-state")).StatusCode);
        var other = await app.ClientAsync("kjj");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/designer/workflows/instances/{instance.Id}/view")).StatusCode);
        var otherFinding = await IssueFindingAsync(app, auditor, new DateOnly(2026, 3, 27), "另一个问题");
        var otherInstance = await InstanceOfAsync(app, otherFinding);
        Assert.Equal(HttpStatusCode.NotFound, (await own.GetAsync($"workflow-instances/{otherInstance.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await own.PostAsJsonAsync("activity-executions/report", new { workflowInstanceId = otherInstance.Id, activityNodeIds = Array.Empty<string>() })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await own.GetAsync($"workflow-definitions/by-id/{otherInstance.DefinitionVersionId}x")).StatusCode);

        // Tokens are short-lived: an hour on the office clock.
        var designer = Elsa(app, await DesignerTokenAsync(await app.ClientAsync("supervisor")));
        Assert.Equal(HttpStatusCode.OK, (await designer.GetAsync("descriptors/activities")).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(HttpStatusCode.Unauthorized, (await designer.GetAsync("descriptors/activities")).StatusCode);
    }

    private static (int, int, int, bool, bool) Stat(JsonNode s) =>
        ((int)s["startedCount"]!, (int)s["completedCount"]!, (int)s["uncompletedCount"]!, (bool)s["isBlocked"]!, (bool)s["isFaulted"]!);
}
