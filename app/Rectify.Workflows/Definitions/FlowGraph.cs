namespace Rectify.Workflows.Definitions;

/// <summary>
/// A flowchart's connections split as Elsa's counter-based flowchart splits them: walking breadth-first from the
/// start activity, a connection is forward unless its target already leads back to its source (then it closes a
/// loop and is backward). Joins wait on forward inbound connections only; a backward connection re-runs its target.
/// </summary>
public sealed class FlowGraph
{
    private readonly WorkflowDefinition _definition;
    private readonly HashSet<Connection> _forward = [];
    private readonly ILookup<string, Connection> _forwardInto;
    private readonly Dictionary<string, HashSet<string>> _ancestors = [];

    /// <param name="flowchartId">The nested flowchart activity, or null for the root flowchart.</param>
    public FlowGraph(WorkflowDefinition definition, string? flowchartId)
    {
        _definition = definition;
        Start = definition.StartActivity(flowchartId);
        if (Start is not null)
            FindForward(Start.Id);
        _forwardInto = _forward.ToLookup(c => c.TargetId);
    }

    public ActivityNode? Start { get; }

    public bool IsBackward(Connection connection) => !_forward.Contains(connection);

    /// <summary>The forward connections into an activity: what an implicit or explicit join waits for.</summary>
    public IReadOnlyList<Connection> ForwardInto(string activityId) => _forwardInto[activityId].ToList();

    /// <summary>Not the start and no forward connection leads to it: Elsa refuses to continue from such an activity.</summary>
    public bool IsDangling(string activityId) => activityId != Start?.Id && !_forwardInto[activityId].Any();

    /// <summary>A backward connection is valid when every forward path from the start to its source passes its target.</summary>
    public bool IsValidBackward(Connection connection)
    {
        if (Start is null || connection.TargetId == Start.Id)
            return Start is not null;
        // Walk forward from the start without entering the target: reaching the source means a path avoids it.
        var seen = new HashSet<string> { Start.Id };
        var stack = new Stack<string>([Start.Id]);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (current == connection.SourceId)
                return false;
            foreach (var c in _definition.Out(current))
            {
                if (_forward.Contains(c) && c.TargetId != connection.TargetId && seen.Add(c.TargetId))
                    stack.Push(c.TargetId);
            }
        }
        return true;
    }

    /// <summary>The activities with a forward path to <paramref name="activityId"/> (a WaitAny join cancels those still waiting).</summary>
    public IReadOnlySet<string> Ancestors(string activityId)
    {
        lock (_ancestors)
        {
            if (_ancestors.TryGetValue(activityId, out var known))
                return known;
            var found = new HashSet<string>();
            var stack = new Stack<string>([activityId]);
            while (stack.Count > 0)
            {
                foreach (var c in _forwardInto[stack.Pop()])
                {
                    if (found.Add(c.SourceId))
                        stack.Push(c.SourceId);
                }
            }
            return _ancestors[activityId] = found;
        }
    }

    private void FindForward(string start)
    {
        // Forward edges found so far, as adjacency, to ask "does the target already lead back to the source?".
        var next = new Dictionary<string, List<string>>();
        var pairs = new HashSet<(string, string)>();
        var visited = new HashSet<string>();
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var source = queue.Dequeue();
            if (!visited.Add(source))
                continue;
            foreach (var target in _definition.Out(source).Select(c => c.TargetId).Distinct())
            {
                if (pairs.Contains((source, target)) || Leads(next, target, source))
                    continue;
                pairs.Add((source, target));
                (next.TryGetValue(source, out var list) ? list : next[source] = []).Add(target);
                foreach (var c in _definition.Out(source).Where(c => c.TargetId == target))
                    _forward.Add(c);
                if (!visited.Contains(target))
                    queue.Enqueue(target);
            }
        }
    }

    private static bool Leads(Dictionary<string, List<string>> next, string from, string to)
    {
        if (from == to)
            return true;
        var seen = new HashSet<string> { from };
        var stack = new Stack<string>([from]);
        while (stack.Count > 0)
        {
            if (!next.TryGetValue(stack.Pop(), out var targets))
                continue;
            foreach (var t in targets)
            {
                if (t == to)
                    return true;
                if (seen.Add(t))
                    stack.Push(t);
            }
        }
        return false;
    }
}
