using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Rectify.Testing;

/// <summary>
/// Large workflow definitions for the cost of publishing (issue 13 item 8): the validation benchmark and the hostile
/// test measure the same shapes.
/// </summary>
public static class LargeDefinitions
{
    /// <summary>Start, then groups of four — decision, mail, delay, set variable — each decision's False leading to an End.</summary>
    public static string Chain(int size)
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

    /// <summary>A start, a fork with <paramref name="count"/> branches, an End on each: the shape that took 37 s to publish at 1,000.</summary>
    public static string Ends(int count)
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

    /// <summary><paramref name="runs"/> timings of <paramref name="work"/> in milliseconds, fastest first.</summary>
    public static List<double> Timings(Action work, int runs)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            work();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times;
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
}
