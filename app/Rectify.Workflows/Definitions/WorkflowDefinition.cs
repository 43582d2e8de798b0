using System.Text.Json;

namespace Rectify.Workflows.Definitions;

/// <summary>
/// An Elsa 3 workflow definition as the runtime reads it: the root <c>Elsa.Flowchart</c>'s activities and
/// connections, the variables, the header. Parsed from the stored JSON text, which stays the source of truth.
/// </summary>
public sealed class WorkflowDefinition
{
    public required string DefinitionId { get; init; }
    public int Version { get; init; }
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    public bool IsPublished { get; init; }
    public string RootId { get; init; } = "root";
    public string RootNodeId { get; init; } = "root";
    public IReadOnlyList<VariableDefinition> Variables { get; init; } = [];
    public required IReadOnlyList<ActivityNode> Activities { get; init; }
    public required IReadOnlyList<Connection> Connections { get; init; }

    private Dictionary<string, ActivityNode>? _byId;
    private ILookup<(string, string), Connection>? _bySourcePort;
    private ILookup<string, Connection>? _byTarget;
    private readonly Dictionary<(string, string), bool> _reach = [];

    public IReadOnlyDictionary<string, ActivityNode> ById =>
        _byId ??= Activities.GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.First());

    /// <summary>The connections leaving an activity's outcome port.</summary>
    public IEnumerable<Connection> From(string activityId, string port) =>
        (_bySourcePort ??= Connections.ToLookup(c => (c.SourceId, c.SourcePort)))[(activityId, port)];

    public IEnumerable<Connection> Into(string activityId) =>
        (_byTarget ??= Connections.ToLookup(c => c.TargetId))[activityId];

    /// <summary>Where a run begins: the Elsa.Start activities, else the activities nothing leads into.</summary>
    public IReadOnlyList<ActivityNode> StartActivities()
    {
        var starts = Activities.Where(a => a.Type == "Elsa.Start").ToList();
        return starts.Count > 0 ? starts : Activities.Where(a => !Into(a.Id).Any()).ToList();
    }

    /// <summary>Whether a path of connections leads from <paramref name="from"/> to <paramref name="to"/> (cached; definitions are immutable).</summary>
    public bool CanReach(string from, string to)
    {
        lock (_reach)
        {
            if (_reach.TryGetValue((from, to), out var known))
                return known;
            var seen = new HashSet<string> { from };
            var queue = new Queue<string>([from]);
            var found = false;
            while (queue.Count > 0 && !found)
            {
                var current = queue.Dequeue();
                foreach (var c in Connections.Where(c => c.SourceId == current))
                {
                    if (c.TargetId == to)
                        found = true;
                    if (seen.Add(c.TargetId))
                        queue.Enqueue(c.TargetId);
                }
            }
            return _reach[(from, to)] = found;
        }
    }
}

public sealed record VariableDefinition(string Id, string Name, string TypeName, JsonElement? Value);

/// <summary>One activity of the flowchart; <see cref="Raw"/> keeps its whole JSON (designer metadata included).</summary>
public sealed class ActivityNode
{
    public required string Id { get; init; }
    public required string NodeId { get; init; }
    public required string Type { get; init; }
    public int Index { get; init; }
    public string? DisplayText { get; init; }
    /// <summary>Wrapped inputs <c>{typeName, expression:{type, value}}</c> by property name, case-insensitive.</summary>
    public required IReadOnlyDictionary<string, InputValue> Inputs { get; init; }
    public JsonElement Raw { get; init; }
    public string Path => $"$.root.activities[{Index}]";
}

public sealed record InputValue(string? TypeName, string ExpressionType, JsonElement Value, string Path)
{
    public bool IsEmpty => Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
        || Value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(Value.GetString());
}

public sealed record Connection(int Index, string SourceId, string SourcePort, string TargetId, string TargetPort)
{
    public string Key => $"{SourceId}:{SourcePort}->{TargetId}";
    public string Path => $"$.root.connections[{Index}]";
}

/// <summary>A fault in a definition, located by the JSON path the designer can point at.</summary>
public sealed record DefinitionError(string Path, string Code, string Message, string MessageEn)
{
    public override string ToString() => $"{Path}: {MessageEn}";
}

/// <summary>A refused definition, with every fault found.</summary>
public sealed class WorkflowDefinitionException(IReadOnlyList<DefinitionError> errors)
    : RectifyException("workflow.definition_invalid",
        "流程定义有误：" + string.Join("；", errors.Select(e => $"{e.Path} {e.Message}")),
        "The workflow definition is invalid: " + string.Join("; ", errors.Select(e => e.ToString())),
        RectifyErrorKind.Invalid)
{
    public IReadOnlyList<DefinitionError> Errors { get; } = errors;
}
