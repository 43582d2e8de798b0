using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Rectify.Web.Tests;
using Rectify.Workflows;
using Rectify.Workflows.Runtime;
using static Rectify.Designer.Tests.Studio;

namespace Rectify.Designer.Tests;

/// <summary>The app with the activities of this test assembly added, as a module adds its own.</summary>
public sealed class TestActivitiesWebFactory : RectifyWebFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddActivitiesFrom(typeof(DueAfterDeadline).Assembly));
    }
}

/// <summary>
/// An activity declared in one file of this assembly (<see cref="DueAfterDeadline"/>) appears in the Studio's toolbox
/// with the descriptor its attributes give, publishes in a definition and runs: its inputs written as JavaScript and
/// Liquid reach it evaluated and typed, and the calendar it takes from its context computes the date it journals.
/// </summary>
public sealed class DeclaredActivityTests(TestActivitiesWebFactory app) : IClassFixture<TestActivitiesWebFactory>
{
    [Fact]
    public async Task An_activity_declared_in_a_test_assembly_is_in_the_toolbox_and_runs_with_typed_inputs()
    {
        var elsa = Elsa(app, await DesignerTokenAsync(await app.ClientAsync("supervisor")));

        var descriptor = (await elsa.GetJsonAsync("descriptors/activities?Refresh=True"))["items"]!.AsArray()
            .Single(d => (string?)d!["typeName"] == "Rectify.Tests.DueAfterDeadline")!;
        Assert.Equal(("期限后工作日", "测试", "DueAfterDeadline", "Rectify.Tests", "Action"),
            ((string?)descriptor["displayName"], (string?)descriptor["category"], (string?)descriptor["name"], (string?)descriptor["namespace"], (string?)descriptor["kind"]));
        Assert.Equal(["Done"], descriptor["ports"]!.AsArray().Select(p => (string)p!["name"]!));
        var inputs = descriptor["inputs"]!.AsArray();
        Assert.Equal([("Days", "System.Int32", "singleline", "1", "工作日数"), ("Note", "System.String", "multiline", null, "备注")],
            inputs.Select(i => ((string)i!["name"]!, (string?)i["typeName"], (string?)i["uiHint"], (string?)i["defaultValue"], (string?)i["displayName"])));

        // The default flow with the new step after assignment, its inputs as the Studio saves expressions.
        var model = (await elsa.GetJsonAsync($"workflow-definitions/by-definition-id/{DefaultDefinition}?versionOptions=Published")).DeepClone();
        model["root"]!["activities"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "dueAfter", ["type"] = "Rectify.Tests.DueAfterDeadline", ["version"] = 1,
            ["days"] = Wrapped("Int32", "JavaScript", "1 + 2"),
            ["note"] = Wrapped("String", "Liquid", "{{ finding.unitName }}复查"),
        });
        model["root"]!["connections"]!.AsArray().Add(Connection("assign", "Done", "dueAfter"));
        var version = (int)(await elsa.SaveAsync(model, publish: true))["workflowDefinition"]!["version"]!;

        // Deadline Friday 2026-03-20: three working days after it is Wednesday the 25th.
        var findingId = await IssueFindingAsync(app, await app.ClientAsync("auditor"), new DateOnly(2026, 3, 20), "声明式活动测试");
        var instance = await InstanceOfAsync(app, findingId);
        Assert.Equal(version, instance.DefinitionVersion);
        var line = InstanceState.Read(instance.State).Journal.Single(e => e.ActivityId == "dueAfter" && e.EventName == "WriteLine");
        Assert.Equal("教育局复查 2026-03-25", line.Message);

        // The inputs as evaluated, where the Studio's instance viewer reads them: a number, not the script's text.
        var executions = await elsa.GetJsonAsync($"activity-executions/list?WorkflowInstanceId={instance.Id}&ActivityNodeId={line.NodeId}");
        var state = executions["items"]!.AsArray().Single()!["activityState"]!;
        Assert.Equal((3, "教育局复查"), ((int)state["Days"]!, (string?)state["Note"]));
        Assert.Equal(["Done"], executions["items"]![0]!["payload"]!["Outcomes"]!.AsArray().Select(o => (string)o!));
    }
}
