using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Testing;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Timers;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>JavaScript and Liquid expressions with the finding and variables in scope, their limits, and the demo clock.</summary>
public class ScriptTests
{
    private static string Flow(string id, string decisionType, string condition) => $$$"""
        {
          "definitionId": "{{{id}}}", "version": 1, "name": "{{{id}}}",
          "variables": [{"id": "v1", "name": "limit", "typeName": "Int32", "value": "3"}, {"id": "v2", "name": "note", "typeName": "String", "value": ""}],
          "root": {"type": "Elsa.Flowchart", "id": "root", "nodeId": "{{{id}}}:root", "activities": [
            {"id": "start", "nodeId": "{{{id}}}:root:start", "type": "Elsa.Start", "version": 1},
            {"id": "assign", "nodeId": "{{{id}}}:root:assign", "type": "Rectify.AssignToUnit", "version": 1},
            {"id": "note", "nodeId": "{{{id}}}:root:note", "type": "Elsa.SetVariable", "version": 1,
             "variable": {"id": "v2", "name": "note", "typeName": "String"},
             "value": {"typeName": "Object", "expression": {"type": "Liquid", "value": "{{ finding.unitName }}须于{{ finding.deadline }}前整改"} } },
            {"id": "decide", "nodeId": "{{{id}}}:root:decide", "type": "Elsa.FlowDecision", "version": 1,
             "condition": {"typeName": "Boolean", "expression": {"type": "{{{decisionType}}}", "value": {{{System.Text.Json.JsonSerializer.Serialize(condition)}}} } } },
            {"id": "yes", "nodeId": "{{{id}}}:root:yes", "type": "Elsa.End", "version": 1},
            {"id": "no", "nodeId": "{{{id}}}:root:no", "type": "Rectify.WaitForReport", "version": 1}
          ], "connections": [
            {"source": {"activity": "start", "port": "Done"}, "target": {"activity": "assign", "port": "In"}},
            {"source": {"activity": "assign", "port": "Done"}, "target": {"activity": "note", "port": "In"}},
            {"source": {"activity": "note", "port": "Done"}, "target": {"activity": "decide", "port": "In"}},
            {"source": {"activity": "decide", "port": "True"}, "target": {"activity": "yes", "port": "In"}},
            {"source": {"activity": "decide", "port": "False"}, "target": {"activity": "no", "port": "In"}}
          ]}
        }
        """;

    private static async Task<WorkflowInstance> RunAsync(TestDatabase database, string json, string id)
    {
        var (units, category, inspection) = await SeedAsync(database);
        await using (var scope = database.Scope(Sample.Supervisor))
            await scope.ServiceProvider.GetRequiredService<WorkflowDefinitionStore>().SaveAndPublishAsync(json);
        var findingId = (await StartAsync(database, db => [Sample.Finding(units[0], category, inspection, new DateOnly(2026, 3, 13))], id))[0];
        return await database.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().SingleAsync(i => i.FindingId == findingId));
    }

    [Fact]
    public async Task JavaScript_sees_the_finding_and_variables_and_Liquid_renders_into_a_variable()
    {
        await using var database = await CreateAsync();
        var instance = await RunAsync(database, Flow("js", "JavaScript",
            "finding.status === 'Assigned' && variables.limit > 2 && getVariable('note').indexOf('2026-03-13') > 0"), "js");
        Assert.Equal(WorkflowSubStatus.Finished, instance.SubStatus);
        var state = InstanceState.Read(instance.State);
        Assert.Equal("教育局须于2026-03-13前整改", (string?)state.Variables["note"]);
        Assert.Equal(["True"], state.Executions.Single(e => e.ActivityId == "decide").Outcomes);
        Assert.Equal(true, (bool?)state.Executions.Single(e => e.ActivityId == "decide").Inputs!["Condition"]);
    }

    [Fact]
    public async Task A_runaway_script_is_stopped_and_the_instance_faults_with_the_reason()
    {
        await using var database = await CreateAsync(new Dictionary<string, string?>
        {
            ["Workflows:Scripts:TimeoutMilliseconds"] = "300",
            ["Workflows:Scripts:MaxStatements"] = "1000000000",
        });
        var instance = await RunAsync(database, Flow("loop", "JavaScript", "while (true) { }"), "loop");
        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(WorkflowSubStatus.Faulted, instance.SubStatus);
        Assert.Equal("decide: JavaScript stopped: it ran longer than 300 ms.", instance.Fault);
        var state = InstanceState.Read(instance.State);
        Assert.Equal("Faulted", state.Journal[^1].EventName);
        Assert.Equal("decide", Assert.Single(state.Incidents).ActivityId);
        // The finding's assignment before the fault still stands; nothing of the instance waits.
        Assert.Equal(FindingStatus.Assigned, (await database.WithDbAsync(db => db.Set<Finding>().SingleAsync())).Status);
        Assert.Empty(await database.WithDbAsync(db => db.Set<WorkflowBookmark>().ToListAsync()));
    }

    [Fact]
    public async Task A_script_allocating_without_bound_is_stopped_by_the_memory_limit()
    {
        await using var database = await CreateAsync(new Dictionary<string, string?>
        {
            ["Workflows:Scripts:MemoryLimitBytes"] = "4000000",
            ["Workflows:Scripts:MaxStatements"] = "1000000000",
            ["Workflows:Scripts:TimeoutMilliseconds"] = "20000",
        });
        var instance = await RunAsync(database, Flow("hog", "JavaScript", "var a = []; while (true) { a.push('整改' + a.length); }"), "hog");
        Assert.Equal(WorkflowSubStatus.Faulted, instance.SubStatus);
        Assert.Equal("decide: JavaScript stopped: it used more than 3 MB.", instance.Fault);
    }

    [Fact]
    public async Task The_demo_clock_fires_every_timer_in_order_up_to_the_instant_asked_for()
    {
        await using var database = await CreateAsync(new Dictionary<string, string?> { ["Workflows:DemoClock:Enabled"] = "true" });
        var control = database.Services.GetRequiredService<DemoClockControl>();
        Assert.True(control.IsEnabled);
        var (units, category, inspection) = await SeedAsync(database);
        await StartAsync(database, _ => [Sample.Finding(units[0], category, inspection, new DateOnly(2026, 3, 13))]);

        var result = await control.AdvanceAsync(Local(3, 16, 9));
        Assert.Equal(3, result.TimersFired);
        Assert.Equal(Local(3, 16, 9), database.Services.GetRequiredService<TimeProvider>().GetUtcNow());
        Assert.Equal([("reminder", Local(3, 10, 9)), ("reminder", Local(3, 12, 9)), ("overdue", Local(3, 14, 0)), ("overdue", Local(3, 14, 0))],
            (await MailAsync(database)).Where(m => m.Template != "assigned").Select(m => (m.Template, m.At)));
        await Assert.ThrowsAsync<RectifyException>(() => control.AdvanceAsync(Local(3, 15, 9)));
    }

    [Fact]
    public async Task The_demo_clock_is_refused_in_production_unless_explicitly_allowed()
    {
        await using var database = await TestDatabase.CreateAsync((services, configuration) =>
        {
            services.AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production" });
            Mail.MailModule.AddRectifyMail(services, configuration);
            services.AddRectifyWorkflows(configuration);
        }, new Dictionary<string, string?> { ["Workflows:DemoClock:Enabled"] = "true" });
        Assert.False(database.Services.GetRequiredService<DemoClockControl>().IsEnabled);
        Assert.IsNotType<DemoClock>(database.Services.GetRequiredService<TimeProvider>());
    }
}
