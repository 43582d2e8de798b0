using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Acornima.Ast;
using JsonSerializer = System.Text.Json.JsonSerializer;
using Microsoft.Extensions.Options;
using Rectify.Templating;
using Rectify.Time;

namespace Rectify.Workflows.Expressions;

public sealed class ScriptOptions
{
    /// <summary>Wall-clock limit of one JavaScript evaluation.</summary>
    public int TimeoutMilliseconds { get; set; } = 2000;
    /// <summary>Memory one JavaScript evaluation may allocate.</summary>
    public long MemoryLimitBytes { get; set; } = 16 * 1024 * 1024;
    public int MaxStatements { get; set; } = 1_000_000;
    public int MaxRecursion { get; set; } = 256;
    /// <summary>Elements one JavaScript array may hold.</summary>
    public uint MaxArraySize { get; set; } = 1_000_000;
    /// <summary>Items one Liquid for loop may take.</summary>
    public int LiquidMaxSteps { get; set; } = 100_000;
}

/// <summary>What an expression sees: the finding (a plain snapshot), the instance's variables (which it may set), its inputs and identity.</summary>
public sealed class ExpressionScope(IReadOnlyDictionary<string, object?> finding, IDictionary<string, JsonNode?> variables)
{
    public IReadOnlyDictionary<string, object?> Finding { get; } = finding;
    public IDictionary<string, JsonNode?> Variables { get; } = variables;
    public IReadOnlyDictionary<string, JsonNode?> Input { get; init; } = new Dictionary<string, JsonNode?>();
    /// <summary>Loop variables (CurrentValue, CurrentIndex) of the containers the expression runs in; read-only.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Locals { get; init; } = new Dictionary<string, JsonNode?>();
    public string InstanceId { get; init; } = "";
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
    /// <summary>Read and written through the instance (Elsa's getCorrelationId / setCorrelationId).</summary>
    public Func<string?> GetCorrelationId { get; init; } = () => null;
    public Action<string?> SetCorrelationId { get; init; } = _ => { };
    /// <summary>Outcomes a script chose with setOutcome / setOutcomes (Elsa's RunJavaScript).</summary>
    public List<string> Outcomes { get; } = [];
}

/// <summary>A script or template that failed or ran away; the instance faults with this message.</summary>
public sealed class ExpressionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Evaluates Elsa expressions: Literal (the JSON value as is), JavaScript (Jint, sandboxed with a time, memory,
/// statement and recursion limit) and Liquid (Rectify.Templating: plain values only, bounded loops, output and time).
/// </summary>
public sealed class ExpressionEvaluator(IOptions<ScriptOptions> options, OfficeClock clock, TimeProvider time)
{
    public static readonly IReadOnlyList<string> SupportedTypes = ["Literal", "JavaScript", "Liquid"];

    private const int MaxCachedScripts = 10_000;
    private readonly ConcurrentDictionary<string, LiquidTemplate> _templates = new();
    private readonly ConcurrentDictionary<string, Prepared<Script>> _scripts = new();
    private readonly ScriptOptions _options = options.Value;
    // Expressions see dictionaries and plain values only (no view-model types); invariant culture as before.
    private readonly LiquidRenderer _liquid = new(new ViewModelTypes(), clock.Zone, time, CultureInfo.InvariantCulture);
    private readonly RenderLimits _liquidLimits = new()
    {
        MaxIterations = options.Value.LiquidMaxSteps,
        Timeout = TimeSpan.FromMilliseconds(options.Value.TimeoutMilliseconds),
    };

    public object? Evaluate(string expressionType, JsonElement value, ExpressionScope scope) => expressionType switch
    {
        "Literal" or "Object" => value.ValueKind == JsonValueKind.Undefined ? null : value,
        "JavaScript" => RunJavaScript(TextOf(value), scope),
        "Liquid" => RenderLiquid(TextOf(value), scope),
        _ => throw new ExpressionException($"Unsupported expression type '{expressionType}'."),
    };

    private static string TextOf(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.ValueKind == JsonValueKind.Undefined ? "" : value.GetRawText();

    /// <summary>Parses a script as Elsa does (a top-level return is allowed); a syntax error throws <see cref="ExpressionException"/>.</summary>
    public Prepared<Script> PrepareJavaScript(string script)
    {
        if (_scripts.TryGetValue(script, out var prepared))
            return prepared;
        try
        {
            prepared = Engine.PrepareScript(script, options: new ScriptPreparationOptions { ParsingOptions = new ScriptParsingOptions { AllowReturnOutsideFunction = true } });
        }
        catch (Exception ex)
        {
            throw new ExpressionException($"JavaScript syntax error: {ex.Message}", ex);
        }
        return _scripts.Count < MaxCachedScripts ? _scripts.GetOrAdd(script, prepared) : prepared;
    }

    /// <summary>Parses a Liquid template; a syntax error throws <see cref="ExpressionException"/>.</summary>
    public void PrepareLiquid(string source) => LiquidOf(source);

    private LiquidTemplate LiquidOf(string source) => _templates.GetOrAdd(source, s => LiquidTemplate.TryParse(s, null, out var t, out var error)
        ? t
        : throw new ExpressionException($"Liquid template is invalid: {error}"));

    private object? RunJavaScript(string script, ExpressionScope scope)
    {
        var prepared = PrepareJavaScript(script);
        var timeout = TimeSpan.FromMilliseconds(_options.TimeoutMilliseconds);
        var engine = new Engine(o =>
        {
            o.TimeoutInterval(timeout).LimitMemory(_options.MemoryLimitBytes).MaxStatements(_options.MaxStatements)
                .LimitRecursion(_options.MaxRecursion).Strict(false);
            o.Constraints.MaxArraySize = _options.MaxArraySize;
            // The time limit is checked between statements; a regex runs inside one. A quarter of the limit each keeps
            // a catastrophic pattern (/^(a+)+$/) from holding the request past the limit by more than that.
            o.Constraints.RegexTimeout = timeout / 4;
        });
        // Memory is counted between statements too: the built-ins that make a long string in one call are bounded first.
        engine.Execute(StringBounds);
        engine.Invoke("__bound", _options.MemoryLimitBytes / 2);
        var json = new JsonParser(engine);
        JsValue Parse(JsonNode? node) => node is null ? JsValue.Null : json.Parse(node.ToJsonString());
        engine.SetValue("finding", json.Parse(JsonSerializer.Serialize(scope.Finding)));
        var variables = new JsonObject();
        foreach (var (name, value) in scope.Variables)
            variables[name] = value?.DeepClone();
        var variablesValue = json.Parse(variables.ToJsonString()).AsObject();
        engine.SetValue("variables", variablesValue);
        void Set(string name, JsValue value)
        {
            var text = new Jint.Native.Json.JsonSerializer(engine).Serialize(value).ToString();
            scope.Variables[name] = JsonNode.Parse(text is { Length: > 0 } && text != "undefined" ? text : "null");
            variablesValue.Set(name, value);
        }
        foreach (var (name, _) in scope.Variables)
        {
            if (!IsIdentifier(name))
                continue;
            engine.SetValue(name, variablesValue.Get(name));
            // Elsa's accessors: getMyVar() and setMyVar(value) for a variable MyVar.
            var pascal = char.ToUpperInvariant(name[0]) + name[1..];
            engine.SetValue("get" + pascal, new Func<JsValue>(() => variablesValue.Get(name)));
            engine.SetValue("set" + pascal, new Action<JsValue>(value => Set(name, value)));
        }
        foreach (var (name, value) in scope.Locals)
        {
            if (!IsIdentifier(name))
                continue;
            engine.SetValue(name, Parse(value));
            engine.SetValue("get" + char.ToUpperInvariant(name[0]) + name[1..], new Func<JsValue>(() => Parse(value)));
        }
        engine.SetValue("getVariable", new Func<string, JsValue>(name => variablesValue.Get(name)));
        engine.SetValue("setVariable", new Action<string, JsValue>(Set));
        engine.SetValue("getInput", new Func<string, JsValue>(name => scope.Input.TryGetValue(name, out var value) ? Parse(value) : JsValue.Undefined));
        foreach (var (name, value) in scope.Input)
        {
            if (IsIdentifier(name))
                engine.SetValue("get" + char.ToUpperInvariant(name[0]) + name[1..], new Func<JsValue>(() => Parse(value)));
        }
        engine.SetValue("getWorkflowInstanceId", new Func<string>(() => scope.InstanceId));
        engine.SetValue("getWorkflowDefinitionId", new Func<string>(() => scope.DefinitionId));
        engine.SetValue("getWorkflowDefinitionVersion", new Func<int>(() => scope.DefinitionVersion));
        engine.SetValue("getCorrelationId", new Func<string?>(() => scope.GetCorrelationId()));
        engine.SetValue("setCorrelationId", new Action<string?>(id => scope.SetCorrelationId(id)));
        engine.SetValue("setOutcome", new Action<string>(outcome => scope.Outcomes.Add(outcome)));
        engine.SetValue("setOutcomes", new Action<string[]>(outcomes => scope.Outcomes.AddRange(outcomes)));
        engine.SetValue("isNullOrEmpty", new Func<string?, bool>(string.IsNullOrEmpty));
        engine.SetValue("isNullOrWhiteSpace", new Func<string?, bool>(string.IsNullOrWhiteSpace));
        try
        {
            return engine.Evaluate(prepared).ToObject();
        }
        catch (Exception ex) when (ex is TimeoutException or System.Text.RegularExpressions.RegexMatchTimeoutException
                                   || ex.InnerException is System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            throw new ExpressionException($"JavaScript stopped: it ran longer than {_options.TimeoutMilliseconds} ms.", ex);
        }
        catch (Jint.Runtime.MemoryLimitExceededException ex)
        {
            throw new ExpressionException($"JavaScript stopped: it used more than {_options.MemoryLimitBytes / 1024 / 1024} MB.", ex);
        }
        catch (Jint.Runtime.StatementsCountOverflowException ex)
        {
            throw new ExpressionException($"JavaScript stopped: more than {_options.MaxStatements} statements.", ex);
        }
        catch (Jint.Runtime.RecursionDepthOverflowException ex)
        {
            throw new ExpressionException($"JavaScript stopped: recursion deeper than {_options.MaxRecursion}.", ex);
        }
        catch (Exception ex) when (ex is not ExpressionException)
        {
            throw new ExpressionException($"JavaScript failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Wraps String.prototype.repeat/padStart/padEnd/concat/replace/replaceAll and Array.prototype.join so that a result
    /// longer than the given number of characters is refused (RangeError) before it is allocated; the originals stay
    /// out of the script's reach in the closure.
    /// </summary>
    private static readonly Prepared<Acornima.Ast.Script> StringBounds = Engine.PrepareScript("""
        function __bound(max) {
          const guard = (n) => { if (n > max) throw new RangeError('Invalid string length: the expression memory limit is ' + max + ' characters'); };
          const wrap = (proto, name, size) => {
            const original = proto[name];
            Object.defineProperty(proto, name, { configurable: true, writable: true, value: function (...args) { guard(size(this, args)); return original.apply(this, args); } });
          };
          const len = (v) => (v === undefined || v === null ? 0 : String(v).length);
          wrap(String.prototype, 'repeat', (s, [n]) => String(s).length * (Number(n) || 0));
          wrap(String.prototype, 'padStart', (s, [n]) => Number(n) || 0);
          wrap(String.prototype, 'padEnd', (s, [n]) => Number(n) || 0);
          wrap(String.prototype, 'concat', (s, args) => args.reduce((total, a) => total + len(a), String(s).length));
          for (const name of ['replace', 'replaceAll']) {
            const original = String.prototype[name];
            Object.defineProperty(String.prototype, name, { configurable: true, writable: true, value: function (pattern, by) {
              const s = String(this);
              if (typeof by === 'function') {
                const replacer = by;
                let total = s.length;
                by = function (...a) { const r = String(replacer.apply(this, a)); total += r.length; guard(total); return r; };
              } else {
                guard(s.length * (len(by) + 1));
              }
              return original.call(this, pattern, by);
            } });
          }
          wrap(Array.prototype, 'join', (a, [sep]) => {
            let total = 0;
            for (let i = 0; i < a.length; i++) { total += len(a[i]) + (sep === undefined ? 1 : len(sep)); guard(total); }
            return total;
          });
        }
        """);

    private string RenderLiquid(string source, ExpressionScope scope)
    {
        var template = LiquidOf(source);
        var model = new Dictionary<string, object?>
        {
            ["finding"] = scope.Finding.ToDictionary(kv => kv.Key, kv => kv.Value),
            ["variables"] = scope.Variables.ToDictionary(kv => kv.Key, kv => JsonPlain.ToPlain(kv.Value)),
        };
        try
        {
            return _liquid.Render(template, model, RenderMode.Text, _liquidLimits);
        }
        catch (TemplateException ex)
        {
            throw new ExpressionException($"Liquid stopped: {ex.Message}", ex);
        }
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] is '_' or '$') && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '$')
        && name is not ("finding" or "variables" or "getVariable" or "setVariable" or "getInput");
}

/// <summary>JSON nodes as plain CLR values (string, double, bool, lists, dictionaries) for templates and conversions.</summary>
public static class JsonPlain
{
    public static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(kv => kv.Key, kv => ToPlain(kv.Value)),
        JsonArray a => a.Select(ToPlain).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.TryGetValue<double>(out var d) ? d : double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        },
        _ => null,
    };

    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonElement e => JsonNode.Parse(e.GetRawText()),
        JsonNode n => n.DeepClone(),
        _ => JsonSerializer.SerializeToNode(value),
    };
}
