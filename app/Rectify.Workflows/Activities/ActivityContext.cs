using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Expressions;
using Rectify.Workflows.Runtime;

namespace Rectify.Workflows.Activities;

/// <summary>
/// What an activity sees while it runs: its configured node and evaluated inputs, the finding, the instance's
/// variables, the office clock and calendar, the finding lifecycle and the mail outbox (all on the run's DbContext).
/// </summary>
public sealed class ActivityContext
{
    private readonly InstanceRun _run;
    private readonly ExecutionRecord _record;
    private ExpressionScope? _scope;

    internal ActivityContext(InstanceRun run, ActivityNode node, ActivityDescriptor descriptor, ExecutionRecord record, Connection? arrivedVia, WorkflowServices services)
    {
        _run = run;
        Node = node;
        Descriptor = descriptor;
        _record = record;
        ArrivedVia = arrivedVia;
        Services = services;
    }

    public ActivityNode Node { get; }
    public ActivityDescriptor Descriptor { get; }
    public WorkflowServices Services { get; }
    public Finding Finding => _run.Finding;
    public WorkflowInstance Instance => _run.Instance;
    public WorkflowDefinition Definition => _run.Definition;
    public DateTimeOffset Now => Services.Clock.Now;
    /// <summary>The connection that scheduled this execution (null for a start activity).</summary>
    public Connection? ArrivedVia { get; }
    public IDictionary<string, JsonNode?> Variables => _run.State.Variables;
    public string ExecutionId => _record.Id;

    /// <summary>Stable per instance and activity execution, so a retried run never queues a message twice.</summary>
    public string DeduplicationKey => $"wf:{_run.Instance.Id}:{_record.Id}";

    /// <summary>Cancels the waiting executions chosen by <paramref name="which"/> in this activity's flowchart (and what runs inside them), and drops the scheduled activities it chooses too.</summary>
    public void Cancel(Func<string, bool> which) => _run.CancelWhere(which, except: _record, scope: _record.ParentId ?? "");

    /// <summary>Evaluates an input (or its default) and records the value on the execution record.</summary>
    public T Get<T>(string name)
    {
        var descriptor = Descriptor.Inputs.FirstOrDefault(i => i.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        object? value;
        if (Node.Inputs.TryGetValue(name, out var input) && !(input.ExpressionType == "Literal" && input.IsEmpty))
            value = Services.Evaluator.Evaluate(input.ExpressionType, input.Value, Scope);
        else
            value = descriptor?.Default;
        var converted = ValueConversion.To<T>(value);
        _record.Inputs ??= [];
        _record.Inputs[descriptor?.Name ?? name] = JsonPlain.ToNode(converted);
        return converted;
    }

    /// <summary>Evaluates a typed input of a declared activity (or its default), converted to its type, and records the value.</summary>
    public T Get<T>(Input<T> input) => input.Name.Length > 0
        ? Get<T>(input.Name)
        : throw new InvalidOperationException($"{Descriptor.TypeName} reads an Input<T> property that has no [Input] attribute.");

    /// <summary>A service of the run's scope (the same DbContext, clock and outbox the run uses), as Elsa's activity context offers.</summary>
    public T GetRequiredService<T>() where T : notnull => Services.Provider.GetRequiredService<T>();

    public T? GetService<T>() => Services.Provider.GetService<T>();

    /// <summary>Evaluates an expression found elsewhere in the activity's JSON (e.g. a FlowSwitch case condition).</summary>
    public object? Evaluate(string expressionType, JsonElement value) => Services.Evaluator.Evaluate(expressionType, value, Scope);

    public ExpressionScope Scope => _scope ??= _run.NewScope(_record);

    /// <summary>The workflow's inputs and the outputs it has set (Elsa's SetOutput).</summary>
    public IDictionary<string, JsonNode?> Input => _run.State.Input;
    public IDictionary<string, JsonNode?> Output => _run.State.Output;

    /// <summary>The instance's correlation id (Elsa's Correlate); scripts see the new value at once.</summary>
    public string? CorrelationId
    {
        get => _run.State.CorrelationId;
        set => _run.State.CorrelationId = value;
    }

    /// <summary>
    /// Stores an activity output (RunJavaScript's result, ForEach's currentValue) where the definition maps it — Elsa
    /// writes <c>"result": {"memoryReference": {"id": …}}</c> naming a workflow output or a variable (by id or name);
    /// unmapped, the value is only recorded on the execution.
    /// </summary>
    public void SetOutput(string name, object? value)
    {
        var node = JsonPlain.ToNode(value);
        (_record.Outputs ??= [])[char.ToUpperInvariant(name[0]) + name[1..]] = node?.DeepClone();
        if (!Node.Raw.TryGetProperty(name, out var output) || output.ValueKind != JsonValueKind.Object
            || !output.TryGetProperty("memoryReference", out var reference) || reference.ValueKind != JsonValueKind.Object
            || !reference.TryGetProperty("id", out var id) || id.GetString() is not { } target)
            return;
        if (Definition.Outputs.Any(o => o.Name == target))
            _run.State.Output[target] = node;
        else if (Definition.Variables.FirstOrDefault(v => v.Id == target || v.Name == target) is { } variable)
            Variables[variable.Name] = node;
    }

    /// <summary>A container's progress (see <see cref="ExecutionRecord.Cursor"/>).</summary>
    public int Cursor
    {
        get => _record.Cursor;
        set => _record.Cursor = value;
    }

    /// <summary>An input's value as recorded on this execution, or null.</summary>
    public JsonNode? RecordedInput(string name) => _record.Inputs?.GetValueOrDefault(name);

    public void RecordInput(string name, JsonNode? value) => (_record.Inputs ??= [])[name] = value?.DeepClone();

    /// <summary>Evaluates an input as it is written (no conversion), or null when the definition leaves it out.</summary>
    public object? Evaluate(string inputName) =>
        Node.Inputs.TryGetValue(inputName, out var input) ? Evaluate(input.ExpressionType, input.Value) : null;

    /// <summary>
    /// Publishes an event: this instance's Event activities waiting for it resume right after this activity; unless
    /// <paramref name="local"/>, those of every other instance too once this run is saved. With a correlation id only
    /// instances of that correlation hear it (this one included).
    /// </summary>
    public void Publish(string eventName, string? correlationId = null, bool local = false) =>
        _run.Published.Enqueue(new PublishedEvent(eventName, string.IsNullOrWhiteSpace(correlationId) ? null : correlationId, local, _run.Instance.Id));

    /// <summary>Starts another workflow for this finding as a child of this execution (a workflow used as an activity); it runs up to its first waits.</summary>
    public Task<WorkflowInstance> StartWorkflowAsync(WorkflowDefinitionVersion version, WorkflowDefinition definition, IReadOnlyDictionary<string, JsonNode?> input) =>
        _run.Runner.StartAsync(Finding, version, definition, input, parent: (_run, _record.Id), default);

    /// <summary>Cancels whatever still runs inside this container (Elsa's Fork with WaitAny).</summary>
    public void CancelChildren() => _run.CancelWhere(_ => true, except: null, propagate: false, scope: _record.Id);

    /// <summary>Writes a line to the instance's journal (Elsa's WriteLine writes to the console).</summary>
    public void WriteLine(string text) => _run.Runner.Journal(_run, _record, "WriteLine", text);

    /// <summary>What scripts and templates see of a finding.</summary>
    public static IReadOnlyDictionary<string, object?> FindingSnapshot(Finding f) => new Dictionary<string, object?>
    {
        ["id"] = f.Id,
        ["unitId"] = f.UnitId,
        ["unitName"] = f.Unit?.Name,
        ["status"] = f.Status.ToString(),
        ["deadline"] = f.Deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["isOverdue"] = f.IsOverdue,
        ["queuedForFollowUp"] = f.QueuedForFollowUp,
        ["severity"] = f.Severity.ToString(),
        ["location"] = f.Location,
        ["description"] = f.Description,
        ["requirement"] = f.Requirement,
    };
}

/// <summary>Turns evaluated values (JSON literals, script results, rendered text) into the type an input declares.</summary>
public static class ValueConversion
{
    public static T To<T>(object? value) => (T)To(value, typeof(T))!;

    public static object? To(object? value, Type type)
    {
        if (value is JsonElement element)
            value = element.ValueKind switch
            {
                JsonValueKind.String => element.GetString(),
                JsonValueKind.Number => element.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Array => element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText()).ToList(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => element.GetRawText(),
            };
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (value is null)
            return type == typeof(string) ? "" : type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : target == typeof(List<string>) ? new List<string>() : null;
        if (target.IsInstanceOfType(value))
            return value;
        var text = value as string ?? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        if (target == typeof(string))
            return value is IEnumerable<object?> items ? string.Join(",", items) : text;
        if (target == typeof(int))
            return value is double d ? (int)Math.Round(d) : int.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        if (target == typeof(bool))
            return value is double n ? n != 0 : bool.Parse(text.Trim());
        if (target == typeof(TimeSpan))
            return TimeSpan.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        if (target == typeof(TimeOnly))
            return TimeOnly.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        if (target == typeof(DateTimeOffset))
            return DateTimeOffset.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        if (target == typeof(List<string>))
        {
            if (value is IEnumerable<object?> list)
                return list.Select(x => Convert.ToString(x, System.Globalization.CultureInfo.InvariantCulture) ?? "").Where(x => x.Length > 0).ToList();
            var trimmed = text.Trim();
            if (trimmed.StartsWith('['))
                return JsonSerializer.Deserialize<List<string>>(trimmed) ?? [];
            return trimmed.Split([',', '，', ';', '；'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        }
        if (target.IsEnum)
            return Enum.Parse(target, text.Trim(), ignoreCase: true);
        return Convert.ChangeType(value, target, System.Globalization.CultureInfo.InvariantCulture);
    }
}
