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
    /// <summary>Elsa's <c>options.usableAsActivity</c>: other definitions may run this one as an activity of type <see cref="ActivityTypeName"/>.</summary>
    public bool UsableAsActivity { get; init; }
    /// <summary>The toolbox category it shows under when usable as an activity (Elsa's <c>options.activityCategory</c>, default Workflows).</summary>
    public string? ActivityCategory { get; init; }
    /// <summary>The outcomes the workflow declares (ports of it used as an activity, besides Done).</summary>
    public IReadOnlyList<string> Outcomes { get; init; } = [];

    /// <summary>The activity type name of this workflow used as an activity: its name in Pascal case, as Elsa names it.</summary>
    public string ActivityTypeName => string.Concat(Name.Split([' ', '_', '-', '.'], StringSplitOptions.RemoveEmptyEntries)
        .Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
    public string RootId { get; init; } = "root";
    public string RootNodeId { get; init; } = "root";
    public IReadOnlyList<VariableDefinition> Variables { get; init; } = [];
    /// <summary>The workflow's declared inputs and outputs (Elsa's InputDefinition / OutputDefinition).</summary>
    public IReadOnlyList<ParameterDefinition> Inputs { get; init; } = [];
    public IReadOnlyList<ParameterDefinition> Outputs { get; init; } = [];
    /// <summary>The root flowchart's explicit start activity id (Elsa's <c>Flowchart.Start</c>), if any.</summary>
    public string? StartId { get; init; }
    public required IReadOnlyList<ActivityNode> Activities { get; init; }
    public required IReadOnlyList<Connection> Connections { get; init; }

    private Dictionary<string, ActivityNode>? _byId;
    private ILookup<(string, string), Connection>? _bySourcePort;
    private ILookup<string, Connection>? _byTarget;
    private ILookup<string, Connection>? _bySource;
    private ILookup<string, ActivityNode>? _children;
    private readonly Dictionary<string, FlowGraph> _graphs = [];
    private readonly Dictionary<string, HashSet<string>> _reach = [];

    public IReadOnlyDictionary<string, ActivityNode> ById =>
        _byId ??= Activities.GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.First());

    /// <summary>The connections leaving an activity's outcome port.</summary>
    public IEnumerable<Connection> From(string activityId, string port) =>
        (_bySourcePort ??= Connections.ToLookup(c => (c.SourceId, c.SourcePort)))[(activityId, port)];

    public IEnumerable<Connection> Into(string activityId) =>
        (_byTarget ??= Connections.ToLookup(c => c.TargetId))[activityId];

    /// <summary>
    /// Where a run begins, by Elsa's rule: the flowchart's <c>start</c>, else the first Elsa.Start, else the first
    /// activity marked "can start workflow", else the first activity nothing leads into, else the first activity.
    /// </summary>
    public ActivityNode? StartActivity(string? flowchartId = null)
    {
        var activities = Children(flowchartId);
        return (flowchartId is null && StartId is not null && ById.TryGetValue(StartId, out var explicitStart) ? explicitStart : null)
            ?? activities.FirstOrDefault(a => a.Type == "Elsa.Start")
            ?? activities.FirstOrDefault(a => a.CanStartWorkflow)
            ?? activities.FirstOrDefault(a => !Into(a.Id).Any())
            ?? (activities.Count > 0 ? activities[0] : null);
    }

    /// <summary>The activities directly inside a container (the root flowchart when null), in their order.</summary>
    public IReadOnlyList<ActivityNode> Children(string? parentId) =>
        (_children ??= Activities.ToLookup(a => a.ParentId ?? ""))[parentId ?? ""].OrderBy(a => a.Order).ToList();

    /// <summary>The root flowchart's graph as Elsa's counter-based flowchart walks it (built once; definitions are immutable).</summary>
    public FlowGraph Graph => GraphOf(null);

    /// <summary>The graph of the root flowchart (null) or of a nested flowchart activity.</summary>
    public FlowGraph GraphOf(string? flowchartId)
    {
        lock (_reach)
        {
            if (!_graphs.TryGetValue(flowchartId ?? "", out var graph))
                _graphs[flowchartId ?? ""] = graph = new FlowGraph(this, flowchartId);
            return graph;
        }
    }

    /// <summary>The activities a path of connections leads to from <paramref name="from"/>, itself excluded unless on a loop.</summary>
    public HashSet<string> ReachableFrom(string from)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>([from]);
        while (stack.Count > 0)
        {
            foreach (var c in Out(stack.Pop()))
            {
                if (seen.Add(c.TargetId))
                    stack.Push(c.TargetId);
            }
        }
        return seen;
    }

    /// <summary>Every connection leaving an activity, whatever its port.</summary>
    public IEnumerable<Connection> Out(string activityId) =>
        (_bySource ??= Connections.ToLookup(c => c.SourceId))[activityId];

    /// <summary>Whether a path of connections leads from <paramref name="from"/> to <paramref name="to"/> (cached; definitions are immutable).</summary>
    public bool CanReach(string from, string to)
    {
        lock (_reach)
        {
            if (!_reach.TryGetValue(from, out var reached))
                _reach[from] = reached = ReachableFrom(from);
            return reached.Contains(to);
        }
    }
}

public sealed record VariableDefinition(string Id, string Name, string TypeName, JsonElement? Value);

/// <summary>A declared workflow input or output: its name, type and (for inputs) default value.</summary>
public sealed record ParameterDefinition(string Name, string TypeName, JsonElement? DefaultValue);

/// <summary>One activity of the flowchart; <see cref="Raw"/> keeps its whole JSON (designer metadata included).</summary>
public sealed class ActivityNode
{
    public required string Id { get; init; }
    public required string NodeId { get; init; }
    public required string Type { get; init; }
    /// <summary>The JSON path of the activity, e.g. $.root.activities[3] or $.root.activities[1].body.activities[0].</summary>
    public required string Path { get; init; }
    /// <summary>The container activity holding this one (null at the root flowchart), the port or list it sits in (body, then, activities …) and its place there.</summary>
    public string? ParentId { get; init; }
    public string? Slot { get; init; }
    public int Order { get; init; }
    public string? DisplayText { get; init; }
    /// <summary>Elsa's "can start workflow" flag (top level or in customProperties).</summary>
    public bool CanStartWorkflow { get; init; }
    /// <summary>The designer's merge mode for an implicit join (customProperties.mergeMode), if set.</summary>
    public string? MergeMode { get; init; }
    /// <summary>Set when the activity is another workflow used as an activity (Elsa's WorkflowDefinitionActivity): that definition's id.</summary>
    public string? WorkflowDefinitionId { get; init; }
    /// <summary>Wrapped inputs <c>{typeName, expression:{type, value}}</c> by property name, case-insensitive.</summary>
    public required IReadOnlyDictionary<string, InputValue> Inputs { get; init; }
    public JsonElement Raw { get; init; }
}

public sealed record InputValue(string? TypeName, string ExpressionType, JsonElement Value, string Path)
{
    public bool IsEmpty => Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
        || Value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(Value.GetString());
}

public sealed record Connection(int Index, string SourceId, string SourcePort, string TargetId, string TargetPort)
{
    /// <summary>The nested flowchart activity holding the connection (null at the root).</summary>
    public string? FlowchartId { get; init; }
    /// <summary>The JSON path of that flowchart.</summary>
    public string Base { get; init; } = "$.root";
    /// <summary>The flow scope's name for the connection; built once, as every step that schedules or joins looks it up.</summary>
    public string Key { get; } = $"{SourceId}:{SourcePort}->{TargetId}";
    public string Path => $"{Base}.connections[{Index}]";
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
