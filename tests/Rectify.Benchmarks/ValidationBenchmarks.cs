using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rectify.Time;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Expressions;

namespace Rectify.Benchmarks;

/// <summary>
/// "validation" mode: publishing's checks on large definitions (issue 13 item 8, issue 16 item 4). A definition of n
/// activities — a chain of decisions with a JavaScript condition, mail steps, delays, forks into Ends — is parsed and
/// validated; the figure is the time per activity at 5,000 against 500 (1.0 is linear), and 1,000 End activities.
/// </summary>
public static class ValidationBenchmarks
{
    public static int Run()
    {
        var evaluator = new ExpressionEvaluator(Options.Create(new ScriptOptions()), new OfficeClock(TimeProvider.System, Options.Create(new OfficeOptions())), TimeProvider.System);
        var validator = new DefinitionValidator(new ActivityRegistry(ActivityRegistry.BuiltIn()), evaluator);
        Measure(validator, Chain(200), 1);
        var small = Measure(validator, Chain(500), 5);
        var large = Measure(validator, Chain(5_000), 3);
        var ends = Measure(validator, Ends(1_000), 3);
        var parseSmall = MeasureParse(Chain(500), 5);
        var parseLarge = MeasureParse(Chain(5_000), 3);
        Console.WriteLine($"parse only: 500 {parseSmall:F1} ms, 5,000 {parseLarge:F1} ms");
        Console.WriteLine("figure                                      ms        µs/activity");
        Console.WriteLine($"validate 500 activities                 {small,8:F1}   {small * 1000 / 500,8:F1}");
        Console.WriteLine($"validate 5,000 activities               {large,8:F1}   {large * 1000 / 5_000,8:F1}");
        Console.WriteLine($"validate 1,000 End activities (+fork)   {ends,8:F1}   {ends * 1000 / 1_002,8:F1}");
        Console.WriteLine($"per-activity time, 5,000 / 500: {large / 5_000 / (small / 500):F2} (1.0 = linear)");
        Console.WriteLine("targets: 5,000 activities < 1,000 ms; 1,000 Ends < 1,000 ms (was 37 s); ratio <= 1.5");
        return 0;
    }

    /// <summary>Median milliseconds of parse + validate; the definition must be valid, so nothing is left out early.</summary>
    private static double Measure(DefinitionValidator validator, string json, int runs)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var errors = validator.Validate(json);
            watch.Stop();
            if (errors.Count > 0)
                throw new InvalidOperationException($"The benchmark definition does not validate: {errors[0]}");
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return times.Order().ElementAt(times.Count / 2);
    }

    private static double MeasureParse(string json, int runs)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            DefinitionParser.Parse(json);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return times.Order().ElementAt(times.Count / 2);
    }

    private static JsonObject Activity(string id, string type, params (string Name, string Syntax, JsonNode Value)[] inputs)
    {
        var activity = new JsonObject { ["id"] = id, ["type"] = type };
        foreach (var (name, syntax, value) in inputs)
            activity[name] = new JsonObject { ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = value } };
        return activity;
    }

    private static JsonObject Connection(string source, string port, string target) =>
        new() { ["source"] = new JsonObject { ["activity"] = source, ["port"] = port }, ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" } };

    private static string Definition(JsonArray activities, JsonArray connections) => new JsonObject
    {
        ["definitionId"] = "bench",
        ["root"] = new JsonObject { ["type"] = "Elsa.Flowchart", ["activities"] = activities, ["connections"] = connections },
    }.ToJsonString();

    /// <summary>Start, then groups of four — decision, mail, delay, set variable — each decision's False leading to an End.</summary>
    private static string Chain(int size)
    {
        var activities = new JsonArray { Activity("start", "Elsa.Start") };
        var connections = new JsonArray();
        var previous = "start";
        for (var i = 0; activities.Count + 4 <= size; i++)
        {
            activities.Add(Activity($"d{i}", "Elsa.FlowDecision", ("condition", "JavaScript", $"variables.n{i % 7} === undefined || finding.id > {i}")));
            activities.Add(Activity($"m{i}", "Rectify.SendEmail", ("template", "Literal", "reminder"), ("recipients", "Literal", "Liaison,Leader")));
            activities.Add(Activity($"w{i}", "Elsa.Delay", ("timeSpan", "Literal", "1.00:00:00")));
            activities.Add(Activity($"e{i}", "Elsa.End"));
            connections.Add(Connection(previous, "Done", $"d{i}"));
            connections.Add(Connection($"d{i}", "True", $"m{i}"));
            connections.Add(Connection($"d{i}", "False", $"e{i}"));
            connections.Add(Connection($"m{i}", "Done", $"w{i}"));
            previous = $"w{i}";
        }
        return Definition(activities, connections);
    }

    /// <summary>A start, a fork with 1,000 branches, an End on each: the shape that took 37 s to publish.</summary>
    private static string Ends(int count)
    {
        var branches = Enumerable.Range(0, count).Select(i => $"b{i}").ToList();
        var activities = new JsonArray { Activity("start", "Elsa.Start"), Activity("fork", "Elsa.FlowFork", ("branches", "Literal", string.Join(",", branches))) };
        var connections = new JsonArray { Connection("start", "Done", "fork") };
        foreach (var (branch, i) in branches.Select((b, i) => (b, i)))
        {
            activities.Add(Activity($"end{i}", "Elsa.End"));
            connections.Add(Connection("fork", branch, $"end{i}"));
        }
        return Definition(activities, connections);
    }
}
