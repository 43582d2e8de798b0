using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Rectify.Workflows.Runtime;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>
/// The stored state reads and writes byte for byte as the serializer's own converters wrote it before InstanceStateJson,
/// less what it used to store twice: the waiting executions again at its end, and each journal entry's activity, node
/// and type, which are its execution's. Read back, the state is whole again.
/// </summary>
public class InstanceStateTests
{
    // The options InstanceState used before its hand-written converters: what every stored row was written with.
    private static readonly JsonSerializerOptions Before = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [Fact]
    public void A_state_stored_before_the_converters_writes_back_unchanged()
    {
        // A reminder's instance after its timers fired, as the runtime benchmark stored it with the serializer's converters.
        var stored = File.ReadAllText(Path.Combine(RepoRoot, "tests", "Rectify.Workflows.Tests", "Fixtures", "old-instance-state.json"));

        // Rows written before it was left out end with the waiting executions again ("Waiting"): read, they write back without it.
        var withoutWaiting = stored[..stored.LastIndexOf(",\"Waiting\":", StringComparison.Ordinal)] + "}";

        var state = InstanceState.Read(stored);

        Assert.Equal(WithoutJournalNames(withoutWaiting), state.Write());
        // Read, it holds all the row stored (the serializer now writes a journal entry's names after its other fields).
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(withoutWaiting), JsonSerializer.SerializeToNode(state, Before)));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(withoutWaiting), JsonSerializer.SerializeToNode(InstanceState.Read(state.Write()), Before)));
        Assert.True(state.Write().Length < stored.Length * 0.75, $"{state.Write().Length} of {stored.Length} characters");
        var waiting = Assert.Single(state.Executions, e => e.ActivityId == "waitReport" && e.Status == ExecutionStatus.Running);
        Assert.Equal(["ReportSubmitted", "DeadlineChanged"], waiting.Bookmarks!);
        Assert.True(waiting.Backward);
        Assert.Equal(state.Journal.Count, state.Journal[^1].Sequence);
        Assert.Equal(1, state.Flow!.ActivityVisits["remind3"]);
        Assert.True(state.Flow.LastFollowed["waitReport:Overdue->escalate"]);
    }

    [Fact]
    public void Every_field_is_written_as_the_serializer_wrote_it_and_read_back()
    {
        var at = new DateTimeOffset(2026, 3, 2, 9, 30, 15, 123, TimeSpan.FromHours(8));
        var state = new InstanceState
        {
            Variables = { ["count"] = 3, ["text"] = "引号\" 与 <b>&</b>\n🙂", ["none"] = null, ["list"] = new JsonArray(1, "二") },
            Input = { ["deadline"] = "2026-03-13" },
            Output = { ["result"] = new JsonObject { ["ok"] = true } },
            CorrelationId = "corr-1",
            ParentExecutionId = "7",
            Flow = new FlowScope { ActivityVisits = { ["start"] = 1, ["loop"] = 12_000_000_000 }, ConnectionVisits = { ["start:Done->loop"] = 2 }, LastFollowed = { ["start:Done->loop"] = false } },
            Scopes = { ["3"] = new FlowScope { ActivityVisits = { ["inner"] = 1 } } },
            Executions =
            {
                new ExecutionRecord { Id = "1", ActivityId = "start", NodeId = "wf:root:start", ActivityType = "Elsa.Start", Status = ExecutionStatus.Completed, StartedAt = at, CompletedAt = at.AddSeconds(1), Outcomes = ["Done"] },
                new ExecutionRecord
                {
                    Id = "2", ActivityId = "wait \"甲\"", NodeId = "wf:root:wait", ActivityType = "Rectify.WaitUntil", StartedAt = at,
                    Inputs = new() { ["Offset"] = -3, ["TimeOfDay"] = "09:00:00" }, Outputs = new() { ["Result"] = null }, Bookmarks = ["A", "B"],
                    TimerDue = at.AddDays(3), Exception = "失败: \\ \t", Backward = true, ParentId = "1", Cursor = 4, Locals = new() { ["CurrentValue"] = "x" },
                },
                new ExecutionRecord { Id = "", Status = ExecutionStatus.Faulted, Outcomes = [] },
            },
            Journal =
            {
                new JournalEntry(1, at, "start", "wf:root:start", "Elsa.Start", "Started", "1"),
                new JournalEntry(2, at, "wait \"甲\"", "wf:root:wait", "Rectify.WaitUntil", "WriteLine", "2", "一行\r\n\"引\" </script> \u2028"),
            },
            Incidents = { new Incident("wait", "wf:root:wait", "Rectify.WaitUntil", "boom", "InvalidOperationException", at) },
        };

        var before = JsonSerializer.Serialize(state, Before);

        var written = state.Write();
        Assert.Equal(WithoutJournalNames(before), written);
        var read = InstanceState.Read(written);
        Assert.Equal(before, JsonSerializer.Serialize(read, Before));
        Assert.Equal(written, read.Write());
        Assert.Equal(written, InstanceState.Read(before).Write());
        Assert.Equal(("wait \"甲\"", "wf:root:wait", "Rectify.WaitUntil"), (read.Journal[1].ActivityId, read.Journal[1].NodeId, read.Journal[1].ActivityType));
        Assert.Equal(12_000_000_000, read.Flow!.ActivityVisits["loop"]);
        Assert.Equal(at.AddDays(3), read.Executions[1].TimerDue);
        Assert.Equal("一行\r\n\"引\" </script> \u2028", read.Journal[1].Message);
        Assert.Equal(ExecutionStatus.Running, read.Executions[1].Status);
    }

    [Fact]
    public void Escaped_names_and_unknown_properties_read_as_the_serializer_read_them()
    {
        const string json = """{"x":[{"\u0069d":"5","a":"a1","later":{"z":[1]},"\u0064ue":"2026-03-02T09:00:00+08:00"}],"l":[{"q":1,"e\u0076":"Started","x":"5","new":1}]}""";

        var read = InstanceState.Read(json);
        var serializer = JsonSerializer.Deserialize<InstanceState>(json, Before)!;

        Assert.Equal(JsonSerializer.Serialize(serializer, Before), read.Write());
        Assert.Equal("5", read.Executions[0].Id);
        Assert.Equal("Started", read.Journal[0].EventName);
        Assert.Equal("a1", read.Journal[0].ActivityId);
    }

    /// <summary>The text with each journal entry's activity, node and type left out, as the serializer writes it.</summary>
    private static string WithoutJournalNames(string json)
    {
        var state = JsonNode.Parse(json)!.AsObject();
        foreach (var entry in state["l"]!.AsArray())
        {
            foreach (var name in new[] { "a", "n", "t" })
                entry!.AsObject().Remove(name);
        }
        return state.ToJsonString(Before);
    }
}
