using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rectify.Workflows.Runtime;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>Elsa 3's flowchart semantics (counter-based, its default) and core activities, on the fake clock.</summary>
public class ElsaSemanticsTests
{
    /// <summary>A definition from activities and flat connections (Elsa's {source, sourcePort, target, targetPort}).</summary>
    private static string Flow(IEnumerable<JsonObject> activities, IEnumerable<JsonObject> connections, JsonObject? header = null)
    {
        var definition = header ?? [];
        definition["definitionId"] ??= "t";
        definition["root"] = new JsonObject { ["type"] = "Elsa.Flowchart", ["id"] = "root", ["activities"] = new JsonArray([.. activities]), ["connections"] = new JsonArray([.. connections]) };
        return definition.ToJsonString();
    }

    /// <summary>An activity with its inputs wrapped as Elsa writes them; a value starting with "js:" is JavaScript.</summary>
    private static JsonObject Act(string id, string type, params (string Name, string Value)[] inputs)
    {
        var activity = new JsonObject { ["id"] = id, ["type"] = type };
        foreach (var (name, value) in inputs)
        {
            var (syntax, text) = value.StartsWith("js:", StringComparison.Ordinal) ? ("JavaScript", value[3..]) : ("Literal", value);
            activity[name] = new JsonObject { ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = text } };
        }
        return activity;
    }

    private static JsonObject Line(string id, string text) => Act(id, "Elsa.WriteLine", ("text", text));

    private static JsonObject Link(string from, string to, string port = "Done") =>
        new() { ["source"] = from, ["sourcePort"] = port, ["target"] = to, ["targetPort"] = "In" };

    [Fact]
    public async Task Only_the_start_activity_starts_and_a_step_reached_by_two_branches_runs_once()
    {
        await using var database = await CreateAsync();
        // "orphan" has no inbound connection but is not the start: Elsa never runs it.
        var json = Flow(
            [Line("orphan", "orphan"), Act("start", "Elsa.Start"), Line("a", "A"), Line("b", "B"), Line("c", "C")],
            [Link("start", "a"), Link("start", "b"), Link("a", "c"), Link("b", "c")]);
        var instance = await PublishAndStartAsync(database, json);
        var (stored, state) = await InstanceAsync(database, instance.Id);
        Assert.Equal(["A", "B", "C"], Lines(state));
        Assert.Equal(WorkflowSubStatus.Finished, stored.SubStatus);
    }

    [Fact]
    public async Task WaitAny_continues_once_and_cancels_the_branch_still_waiting()
    {
        await using var database = await CreateAsync();
        var json = Flow(
            [Act("start", "Elsa.Start"), Act("quick", "Elsa.Delay", ("timeSpan", "00:01:00")), Line("fast", "fast"), Act("slow", "Elsa.Delay", ("timeSpan", "01:00:00")),
             Act("join", "Elsa.FlowJoin", ("mode", "WaitAny")), Line("after", "after")],
            [Link("start", "quick"), Link("quick", "fast"), Link("start", "slow"), Link("fast", "join"), Link("slow", "join"), Link("join", "after")]);
        var instance = await PublishAndStartAsync(database, json);
        Assert.Equal(2, await database.WithDbAsync(db => db.Set<WorkflowTimer>().CountAsync()));

        await AdvanceAsync(database, database.Clock.GetUtcNow().AddMinutes(1));
        var (stored, state) = await InstanceAsync(database, instance.Id);
        Assert.Equal(["fast", "after"], Lines(state));
        Assert.Equal(ExecutionStatus.Canceled, state.Executions.Single(e => e.ActivityId == "slow").Status);
        Assert.Single(state.Journal, j => j.ActivityId == "join" && j.EventName == "Completed");
        Assert.Equal(WorkflowSubStatus.Finished, stored.SubStatus);
        Assert.Empty(await database.WithDbAsync(db => db.Set<WorkflowTimer>().ToListAsync()));
    }

    [Fact]
    public async Task WaitAll_waits_for_a_timer_branch_and_WaitAllActive_skips_a_branch_not_taken()
    {
        await using var database = await CreateAsync();
        var json = Flow(
            [Act("start", "Elsa.Start"), Line("fast", "fast"), Act("slow", "Elsa.Timer", ("interval", "01:00:00")),
             Act("all", "Elsa.FlowJoin", ("mode", "WaitAll")), Line("joined", "joined"),
             Act("no", "Elsa.FlowDecision", ("condition", "js:return false;")), Line("never", "never"),
             Act("active", "Elsa.FlowJoin", ("mode", "WaitAllActive")), Line("end", "end")],
            [Link("start", "fast"), Link("start", "slow"), Link("fast", "all"), Link("slow", "all"), Link("all", "joined"),
             Link("joined", "no"), Link("no", "never", "True"), Link("joined", "active"), Link("never", "active"), Link("active", "end")]);
        var instance = await PublishAndStartAsync(database, json);
        var (stored, state) = await InstanceAsync(database, instance.Id);
        Assert.Equal(["fast"], Lines(state));
        Assert.Equal(WorkflowSubStatus.Suspended, stored.SubStatus);

        await AdvanceAsync(database, database.Clock.GetUtcNow().AddHours(1));
        (stored, state) = await InstanceAsync(database, instance.Id);
        Assert.Equal(["fast", "joined", "end"], Lines(state));
        Assert.Equal(WorkflowSubStatus.Finished, stored.SubStatus);
    }

    [Fact]
    public async Task Scripts_use_Elsa_accessors_for_variables_inputs_outputs_and_the_instance()
    {
        await using var database = await CreateAsync();
        var header = JsonNode.Parse("""
            {"variables": [{"id": "v1", "name": "Counter", "typeName": "Int32", "value": "1"}, {"id": "v2", "name": "Seen", "typeName": "Boolean"}],
             "inputs": [{"name": "Case", "type": "String"}, {"name": "Amount", "type": "Int32"}],
             "outputs": [{"name": "Total", "type": "Int32"}]}
            """)!.AsObject();
        var json = Flow(
            [Act("start", "Elsa.Start"),
             Act("corr", "Elsa.Correlate", ("correlationId", "js:'case-' + getInput('Case')")),
             Act("count", "Elsa.RunJavaScript", ("script", "setCounter(getCounter() + getAmount()); setVariable('Seen', getWorkflowInstanceId().length > 0); setOutcome('Counted');")),
             Act("say", "Elsa.WriteLine", ("text", "js:`${getCorrelationId()} ${getCounter()} ${variables.Seen} ${getWorkflowDefinitionId()}`")),
             Act("out", "Elsa.SetOutput", ("outputName", "Total"), ("outputValue", "js:getCounter() * 2"))],
            [Link("start", "corr"), Link("corr", "count"), Link("count", "say", "Counted"), Link("say", "out")],
            header);
        var instance = await PublishAndStartAsync(database, json, new Dictionary<string, JsonNode?> { ["Case"] = "7", ["Amount"] = "4" });
        var (stored, state) = await InstanceAsync(database, instance.Id);
        Assert.Null(stored.Fault);
        Assert.Equal(["case-7 5 true t"], Lines(state));
        Assert.Equal(10, (int)state.Output["Total"]!);
        Assert.Equal("case-7", state.CorrelationId);
    }

    [Fact]
    public async Task Fault_faults_the_instance_with_its_message_and_Finish_cancels_waiting_branches()
    {
        await using var database = await CreateAsync();
        var faulting = Flow([Act("start", "Elsa.Start"), Act("f", "Elsa.Fault", ("code", "E1"), ("message", "出错了"))], [Link("start", "f")]);
        var (faulted, _) = await InstanceAsync(database, (await PublishAndStartAsync(database, faulting)).Id);
        Assert.Equal(WorkflowSubStatus.Faulted, faulted.SubStatus);
        Assert.Contains("出错了", faulted.Fault);

        var finishing = Flow(
            [Act("start", "Elsa.Start"), Act("wait", "Elsa.Cron", ("cronExpression", "0 0 9 * * *")), Act("done", "Elsa.Finish")],
            [Link("start", "wait"), Link("start", "done")],
            new JsonObject { ["definitionId"] = "t2" });
        var (finished, state) = await InstanceAsync(database, (await PublishAndStartAsync(database, finishing)).Id);
        Assert.Equal(WorkflowSubStatus.Finished, finished.SubStatus);
        Assert.Equal(ExecutionStatus.Canceled, state.Executions.Single(e => e.ActivityId == "wait").Status);
    }

    [Fact]
    public async Task Cron_waits_for_the_next_occurrence_in_the_office_time_zone()
    {
        await using var database = await CreateAsync(start: Local(3, 2, 10));
        var json = Flow(
            [Act("start", "Elsa.Start"), Act("cron", "Elsa.Cron", ("cronExpression", "0 9 * * *")), Line("a", "nine")],
            [Link("start", "cron"), Link("cron", "a")]);
        var instance = await PublishAndStartAsync(database, json);
        var timer = await database.WithDbAsync(db => db.Set<WorkflowTimer>().SingleAsync());
        Assert.Equal(Local(3, 3, 9), timer.DueAt);
        await AdvanceAsync(database, Local(3, 3, 9));
        Assert.Equal(["nine"], Lines((await InstanceAsync(database, instance.Id)).State));
    }

    /// <summary>An activity with embedded children, as Elsa writes containers: a single one under a port, or a list.</summary>
    private static JsonObject With(JsonObject activity, string slot, params JsonObject[] children)
    {
        activity[slot] = slot is "activities" or "branches" ? new JsonArray([.. children]) : children[0];
        return activity;
    }

    [Fact]
    public async Task Containers_run_as_in_Elsa_Sequence_While_If_ForEach_and_a_Fork_joined_on_an_event()
    {
        await using var database = await CreateAsync();
        var increment = Act("inc", "Elsa.SetVariable", ("value", "js:getN() + 1"));
        increment["variable"] = new JsonObject { ["id"] = "n", ["name"] = "N" };
        var json = Flow(
            [Act("start", "Elsa.Start"),
             With(Act("seq", "Elsa.Sequence"), "activities", Line("s1", "s1"), Line("s2", "s2")),
             With(Act("loop", "Elsa.While", ("condition", "js:getN() < 3")), "body", increment),
             With(With(Act("if", "Elsa.If", ("condition", "js:getN() > 1")), "then", Line("big", "big")), "else", Line("small", "small")),
             With(Act("each", "Elsa.ForEach", ("items", "js:['a', 'b', 'c']")), "body", Act("item", "Elsa.WriteLine", ("text", "js:`item ${getCurrentValue()}`"))),
             With(Act("fork", "Elsa.Fork", ("joinMode", "WaitAny")), "branches",
                 Act("wait", "Elsa.Event", ("eventName", "go")),
                 With(Act("publisher", "Elsa.Sequence"), "activities", Act("publish", "Elsa.PublishEvent", ("eventName", "go")), Line("late", "late"))),
             Line("end", "end")],
            [Link("start", "seq"), Link("seq", "loop"), Link("loop", "if"), Link("if", "each"), Link("each", "fork"), Link("fork", "end")],
            JsonNode.Parse("""{"variables": [{"id": "n", "name": "N", "typeName": "Int32", "value": "0"}]}""")!.AsObject());
        var instance = await PublishAndStartAsync(database, json);
        var (stored, state) = await InstanceAsync(database, instance.Id);
        Assert.Null(stored.Fault);
        // The event wakes the waiting branch; WaitAny then cancels the branch that published it before its last line.
        Assert.Equal(["s1", "s2", "big", "item a", "item b", "item c", "end"], Lines(state));
        Assert.Equal(3, (int)state.Variables["N"]!);
        Assert.Equal(3, state.Journal.Count(j => j.ActivityId == "inc" && j.EventName == "Completed"));
        Assert.Equal(WorkflowSubStatus.Finished, stored.SubStatus);
    }

    [Fact]
    public async Task PublishEvent_resumes_waiting_instances_of_other_findings_by_correlation_or_all_unless_local()
    {
        await using var database = await CreateAsync();
        var waiter = Flow(
            [Act("start", "Elsa.Start"), Act("correlate", "Elsa.Correlate", ("correlationId", "js:getCid()")), Act("event", "Elsa.Event", ("eventName", "go")), Line("woke", "js:'woke ' + getCorrelationId()")],
            [Link("start", "correlate"), Link("correlate", "event"), Link("event", "woke")],
            new JsonObject { ["definitionId"] = "waiter", ["inputs"] = new JsonArray(new JsonObject { ["name"] = "Cid", ["type"] = "String" }) });
        var alpha = await PublishAndStartAsync(database, waiter, new Dictionary<string, JsonNode?> { ["Cid"] = "alpha" });
        var beta = await PublishAndStartAsync(database, waiter, new Dictionary<string, JsonNode?> { ["Cid"] = "beta" });
        async Task<string> Publish(string name, params (string Name, string Value)[] inputs)
        {
            var publisher = Flow([Act("start", "Elsa.Start"), Act("publish", "Elsa.PublishEvent", [("eventName", "go"), .. inputs])], [Link("start", "publish")],
                new JsonObject { ["definitionId"] = name });
            return (await PublishAndStartAsync(database, publisher)).Id;
        }
        async Task<(WorkflowSubStatus, string)> Of(WorkflowInstance instance)
        {
            var (stored, state) = await InstanceAsync(database, instance.Id);
            return (stored.SubStatus, string.Join(" | ", Lines(state)));
        }

        // A local event stays in its own instance.
        await Publish("local", ("isLocalEvent", "true"));
        Assert.Equal((WorkflowSubStatus.Suspended, ""), await Of(alpha));
        Assert.Equal((WorkflowSubStatus.Suspended, ""), await Of(beta));

        // With a correlation id, only the instance of that correlation wakes.
        await Publish("to-beta", ("correlationId", "beta"));
        Assert.Equal((WorkflowSubStatus.Suspended, ""), await Of(alpha));
        Assert.Equal((WorkflowSubStatus.Finished, "woke beta"), await Of(beta));

        // Without one, every instance waiting for the event wakes.
        await Publish("to-all");
        Assert.Equal((WorkflowSubStatus.Finished, "woke alpha"), await Of(alpha));
        Assert.Equal(0, await database.WithDbAsync(db => db.Set<WorkflowBookmark>().CountAsync()));
    }

    [Theory]
    [InlineData("MatchFirst", "true", "true", new[] { "A", "after" })]
    [InlineData("MatchAny", "true", "true", new[] { "A", "B", "after" })]
    [InlineData("MatchAny", "false", "1 > 2", new[] { "none matched", "after" })]
    [InlineData("MatchFirst", "false", "getN() == 2", new[] { "B", "after" })]
    public async Task Switch_runs_the_first_or_every_matching_case_else_its_default(string mode, string a, string b, string[] lines)
    {
        await using var database = await CreateAsync();
        var cases = new JsonArray(
            new JsonObject { ["label"] = "A", ["condition"] = new JsonObject { ["type"] = "Literal", ["value"] = a }, ["activity"] = Line("a", "A") },
            new JsonObject { ["label"] = "B", ["condition"] = new JsonObject { ["type"] = "JavaScript", ["value"] = b }, ["activity"] = Line("b", "B") },
            // A matching case without an activity runs nothing.
            new JsonObject { ["label"] = "C", ["condition"] = new JsonObject { ["type"] = "JavaScript", ["value"] = "false" } });
        var @switch = Act("sw", "Elsa.Switch", ("mode", mode));
        @switch["cases"] = cases;
        @switch["default"] = Line("d", "none matched");
        var json = Flow([Act("start", "Elsa.Start"), @switch, Line("after", "after")], [Link("start", "sw"), Link("sw", "after")],
            new JsonObject { ["variables"] = new JsonArray(new JsonObject { ["id"] = "n", ["name"] = "N", ["typeName"] = "Int32", ["value"] = "2" }) });
        var instance = await PublishAndStartAsync(database, json);
        var (stored, state) = await InstanceAsync(database, instance.Id);
        Assert.Equal(lines, Lines(state));
        Assert.Equal(WorkflowSubStatus.Finished, stored.SubStatus);
    }

    [Fact]
    public async Task A_workflow_used_as_an_activity_waits_in_its_own_instance_and_hands_its_outputs_back()
    {
        await using var database = await CreateAsync();
        var child = Flow(
            [Act("start", "Elsa.Start"), Act("wait", "Elsa.Delay", ("timeSpan", "01:00:00")), Act("answer", "Elsa.SetOutput", ("outputName", "Answer"), ("outputValue", "js:getQuestion() + '!'"))],
            [Link("start", "wait"), Link("wait", "answer")],
            new JsonObject
            {
                ["definitionId"] = "ask", ["name"] = "Ask",
                ["inputs"] = new JsonArray(new JsonObject { ["name"] = "Question", ["type"] = "String" }),
                ["outputs"] = new JsonArray(new JsonObject { ["name"] = "Answer", ["type"] = "String" }),
            });
        var ask = Act("ask", "Ask", ("question", "hi"));
        ask["workflowDefinitionId"] = "ask";
        ask["answer"] = new JsonObject { ["memoryReference"] = new JsonObject { ["id"] = "v1" } };
        var parent = Flow([ask, Line("say", "js:getReply()")], [Link("ask", "say")],
            new JsonObject { ["definitionId"] = "parent", ["variables"] = new JsonArray(new JsonObject { ["id"] = "v1", ["name"] = "Reply", ["typeName"] = "String" }) });

        // Not usable as an activity yet: publishing the parent is refused, naming the activity.
        await PublishAsync(database, child);
        var refused = await Assert.ThrowsAsync<Definitions.WorkflowDefinitionException>(() => PublishAndStartAsync(database, parent));
        Assert.Equal(("$.root.activities[0].workflowDefinitionId", "activity.workflow_missing"), (refused.Errors.Single().Path, refused.Errors.Single().Code));

        var usable = JsonNode.Parse(child)!;
        usable["options"] = new JsonObject { ["usableAsActivity"] = true };
        await PublishAsync(database, usable.ToJsonString());
        var instance = await PublishAndStartAsync(database, parent);
        var childInstance = await database.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().SingleAsync(i => i.ParentInstanceId == instance.Id));
        Assert.Equal((WorkflowSubStatus.Suspended, WorkflowSubStatus.Suspended), ((await InstanceAsync(database, instance.Id)).Instance.SubStatus, childInstance.SubStatus));
        Assert.Equal(instance.FindingId, childInstance.FindingId);

        await AdvanceAsync(database, database.Clock.GetUtcNow().AddHours(1));
        var (stored, state) = await InstanceAsync(database, instance.Id);
        Assert.Equal(["hi!"], Lines(state));
        Assert.Equal(WorkflowSubStatus.Finished, stored.SubStatus);
        Assert.Equal(WorkflowSubStatus.Finished, (await InstanceAsync(database, childInstance.Id)).Instance.SubStatus);

        // Cancelled with the execution waiting for it: a quicker branch wins a WaitAny join, and the child stops too.
        var race = Flow(
            [Act("start", "Elsa.Start"), ask.DeepClone().AsObject(), Act("quick", "Elsa.Delay", ("timeSpan", "00:01:00")), Act("join", "Elsa.FlowJoin", ("mode", "WaitAny")), Line("say", "quick")],
            [Link("start", "ask"), Link("start", "quick"), Link("ask", "join"), Link("quick", "join"), Link("join", "say")],
            new JsonObject { ["definitionId"] = "race", ["variables"] = new JsonArray(new JsonObject { ["id"] = "v1", ["name"] = "Reply", ["typeName"] = "String" }) });
        var racing = await PublishAndStartAsync(database, race);
        var racingChild = await database.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().SingleAsync(i => i.ParentInstanceId == racing.Id));
        await AdvanceAsync(database, database.Clock.GetUtcNow().AddMinutes(1));
        var (raced, racedState) = await InstanceAsync(database, racing.Id);
        Assert.Equal(WorkflowSubStatus.Finished, raced.SubStatus);
        Assert.Equal(["quick"], Lines(racedState));
        Assert.Equal(WorkflowSubStatus.Cancelled, (await InstanceAsync(database, racingChild.Id)).Instance.SubStatus);
        Assert.Equal(0, await database.WithDbAsync(db => db.Set<WorkflowTimer>().CountAsync(t => t.InstanceId == racingChild.Id)));
    }

    [Fact]
    public async Task State_written_before_flow_scopes_existed_resumes_with_its_visits_rebuilt()
    {
        await using var database = await CreateAsync();
        var json = Flow(
            [Act("start", "Elsa.Start"), Line("a", "A"), Act("wait", "Elsa.Delay", ("timeSpan", "01:00:00")),
             Act("join", "Elsa.FlowJoin", ("mode", "WaitAll")), Line("end", "end")],
            [Link("start", "a"), Link("start", "wait"), Link("a", "join"), Link("wait", "join"), Link("join", "end")]);
        var instance = await PublishAndStartAsync(database, json);
        // An instance saved by the previous runtime: no flow scope ("fs") in its state.
        await database.WithDbAsync(async db =>
        {
            var row = await db.Set<WorkflowInstance>().SingleAsync(i => i.Id == instance.Id);
            var state = JsonNode.Parse(row.State)!.AsObject();
            Assert.True(state.Remove("fs"));
            row.State = state.ToJsonString();
            return await db.SaveChangesAsync();
        });
        await AdvanceAsync(database, database.Clock.GetUtcNow().AddHours(1));
        var (stored, after) = await InstanceAsync(database, instance.Id);
        Assert.Equal(["A", "end"], Lines(after));
        Assert.Equal(WorkflowSubStatus.Finished, stored.SubStatus);
    }
}
