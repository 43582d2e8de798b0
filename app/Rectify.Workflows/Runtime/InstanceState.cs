using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Rectify.Workflows.Runtime;

/// <summary>
/// What a <see cref="WorkflowInstance"/> remembers between runs, stored as compact JSON in its State column:
/// variables, the arrivals at joins, every activity execution (the instance viewer's records) and the journal.
/// An execution still Running is waiting; its bookmark names and timer mirror the rows in the bookmark and timer tables.
/// </summary>
public sealed class InstanceState
{
    [JsonPropertyName("v")] public Dictionary<string, JsonNode?> Variables { get; set; } = [];
    /// <summary>The workflow's inputs as given at start (declared defaults filled in) and the outputs set so far.</summary>
    [JsonPropertyName("in")] public Dictionary<string, JsonNode?> Input { get; set; } = [];
    [JsonPropertyName("out")] public Dictionary<string, JsonNode?> Output { get; set; } = [];
    [JsonPropertyName("cid")] public string? CorrelationId { get; set; }
    /// <summary>For a workflow run as an activity: the parent's execution that waits for it.</summary>
    [JsonPropertyName("pe")] public string? ParentExecutionId { get; set; }
    /// <summary>Elsa's flow scope: how often each activity and connection was visited (null for state written before it existed).</summary>
    [JsonPropertyName("fs")] public FlowScope? Flow { get; set; }
    /// <summary>The flow scopes of nested flowcharts, by the flowchart's execution id.</summary>
    [JsonPropertyName("fsx")] public Dictionary<string, FlowScope> Scopes { get; set; } = [];
    [JsonPropertyName("x")] public List<ExecutionRecord> Executions { get; set; } = [];
    [JsonPropertyName("l")] public List<JournalEntry> Journal { get; set; } = [];
    [JsonPropertyName("i")] public List<Incident> Incidents { get; set; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // The parts every resume reads and writes again, written exactly as the serializer's own converters did.
        Converters = { new ExecutionRecordConverter(), new JournalEntryConverter(), new CounterConverter<long>(), new CounterConverter<bool>() },
    };

    public static InstanceState Read(string json)
    {
        var state = JsonSerializer.Deserialize<InstanceState>(json, Json) ?? new();
        state.NameJournalEntries();
        return state;
    }

    /// <summary>Gives each journal entry stored without them its execution's activity, node and type.</summary>
    private void NameJournalEntries()
    {
        Dictionary<string, ExecutionRecord>? executions = null;
        foreach (var entry in Journal)
        {
            // Entries written before they were left out name them already.
            if (entry.ActivityId is not null)
                continue;
            if (executions is null)
            {
                executions = new(Executions.Count);
                foreach (var record in Executions)
                    executions.TryAdd(record.Id, record);
            }
            if (executions.TryGetValue(entry.ExecutionId, out var execution))
                entry.Name(execution);
        }
    }

    public string Write() => JsonSerializer.Serialize(this, Json);

    // Not stored: it is the executions still running, which the state holds already.
    [JsonIgnore] public IEnumerable<ExecutionRecord> Waiting => Executions.Where(e => e.Status == ExecutionStatus.Running);
}

public enum ExecutionStatus
{
    Running,
    Completed,
    Canceled,
    Faulted,
}

/// <summary>One execution of one activity (Elsa's ActivityExecutionRecord). <see cref="Id"/> is a sequence number within the instance.</summary>
public sealed class ExecutionRecord
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("a")] public string ActivityId { get; set; } = "";
    [JsonPropertyName("n")] public string NodeId { get; set; } = "";
    [JsonPropertyName("t")] public string ActivityType { get; set; } = "";
    [JsonPropertyName("s")] public ExecutionStatus Status { get; set; }
    [JsonPropertyName("st")] public DateTimeOffset StartedAt { get; set; }
    [JsonPropertyName("ct")] public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>Inputs as evaluated, keyed by the descriptor's input name.</summary>
    [JsonPropertyName("in")] public Dictionary<string, JsonNode?>? Inputs { get; set; }
    [JsonPropertyName("o")] public List<string>? Outcomes { get; set; }
    /// <summary>The activity's outputs (e.g. RunJavaScript's Result), keyed by output name.</summary>
    [JsonPropertyName("out")] public Dictionary<string, JsonNode?>? Outputs { get; set; }
    [JsonPropertyName("b")] public List<string>? Bookmarks { get; set; }
    [JsonPropertyName("due")] public DateTimeOffset? TimerDue { get; set; }
    [JsonPropertyName("e")] public string? Exception { get; set; }
    /// <summary>Scheduled through a backward connection (a loop): its completion is not counted as a visit.</summary>
    [JsonPropertyName("bw")] public bool Backward { get; set; }
    /// <summary>The container execution this one runs in (null at the root flowchart).</summary>
    [JsonPropertyName("p")] public string? ParentId { get; set; }
    /// <summary>A container's progress: the next child of a sequence, the iteration of a loop, the children done.</summary>
    [JsonPropertyName("k")] public int Cursor { get; set; }
    /// <summary>Variables a loop gives this execution and what runs inside it (CurrentValue, CurrentIndex).</summary>
    [JsonPropertyName("lv")] public Dictionary<string, JsonNode?>? Locals { get; set; }

    [JsonIgnore] public bool HasBookmarks => Bookmarks is { Count: > 0 } || TimerDue is not null;
}

/// <summary>
/// Elsa's journal: Started, Completed, Suspended, Resumed, Faulted, Cancelled, and WriteLine with its text. The
/// activity, node and type are its execution's: stored once there, not again in every entry (the journal is most of
/// the state an instance rewrites at each step), and filled in when the state is read.
/// </summary>
public sealed record JournalEntry(
    [property: JsonPropertyName("q")] int Sequence,
    [property: JsonPropertyName("at")] DateTimeOffset Timestamp,
    string ActivityId,
    string NodeId,
    string ActivityType,
    [property: JsonPropertyName("ev")] string EventName,
    [property: JsonPropertyName("x")] string ExecutionId,
    [property: JsonPropertyName("m")] string? Message = null)
{
    [JsonPropertyName("a")] public string ActivityId { get; private set; } = ActivityId;
    [JsonPropertyName("n")] public string NodeId { get; private set; } = NodeId;
    [JsonPropertyName("t")] public string ActivityType { get; private set; } = ActivityType;

    internal void Name(ExecutionRecord execution) =>
        (ActivityId, NodeId, ActivityType) = (execution.ActivityId, execution.NodeId, execution.ActivityType);
}

public sealed record Incident(
    [property: JsonPropertyName("a")] string ActivityId,
    [property: JsonPropertyName("n")] string NodeId,
    [property: JsonPropertyName("t")] string ActivityType,
    [property: JsonPropertyName("m")] string Message,
    [property: JsonPropertyName("et")] string ExceptionType,
    [property: JsonPropertyName("at")] DateTimeOffset Timestamp);
