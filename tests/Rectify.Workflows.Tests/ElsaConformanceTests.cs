using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;
using Xunit.Abstractions;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>
/// The workflow definitions of elsa-core's own tests, run through our runtime on the fake clock, each checked against
/// the outcome Elsa's test asserts (Fixtures/Elsa/conformance.json). A case Rectify does not run as Elsa does says what
/// it does instead and why ("differs"), and is checked for that; the count of exact runs is reported and held.
/// </summary>
public class ElsaConformanceTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(RepoRoot, "tests", "Rectify.Workflows.Tests", "Fixtures", "Elsa");
    private static readonly JsonNode Manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "conformance.json")))!;

    public static TheoryData<string> Cases() => [.. Manifest["cases"]!.AsArray().Select(c => (string)c!["file"]!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Runs_as_in_Elsa_or_as_documented(string file)
    {
        var spec = Manifest["cases"]!.AsArray().Single(c => (string)c!["file"]! == file)!;
        var outcome = await RunAsync(file, spec);
        output.WriteLine(outcome.ToString());
        if (spec["differs"] is { } differs)
        {
            if (differs["publish"] is { } code)
                Assert.Equal((string)code!, outcome.RefusedWith);
            else
                Assert.Equal((string)differs["status"]!, outcome.Status);
            return;
        }
        Assert.Null(outcome.Mismatch);
    }

    [Fact]
    public async Task All_but_the_unsupported_run_exactly_as_in_Elsa()
    {
        var exact = new List<string>();
        var cases = Manifest["cases"]!.AsArray();
        foreach (var spec in cases)
        {
            var outcome = await RunAsync((string)spec!["file"]!, spec);
            if (outcome.Mismatch is null)
                exact.Add(outcome.File);
            output.WriteLine(outcome.ToString());
        }
        output.WriteLine($"{exact.Count} of {cases.Count} run exactly as in Elsa");
        var expected = cases.Where(c => c!["differs"] is null).Select(c => (string)c!["file"]!).ToList();
        Assert.Equal(expected, exact);
    }

    private sealed record Outcome(string File, string? RefusedWith, string? Mismatch, IReadOnlyList<string> Lines, string Status)
    {
        public override string ToString() => $"{File}: {(Mismatch is null ? "as in Elsa" : "differs: " + Mismatch)} [{Status}] {string.Join(" | ", Lines)}";
    }

    private static async Task<Outcome> RunAsync(string file, JsonNode spec)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        // Elsa's importer gives a definition without an id one; so do we.
        json["definitionId"] ??= Path.GetFileNameWithoutExtension(file);
        await using var database = await CreateAsync();
        WorkflowInstance instance;
        try
        {
            // The workflows this one runs as activities (Elsa's test imports them first).
            foreach (var required in spec["requires"]?.AsArray() ?? [])
                await PublishAsync(database, File.ReadAllText(Path.Combine(Folder, (string)required!)));
            instance = await PublishAndStartAsync(database, json.ToJsonString(), spec["input"]?.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone()));
        }
        catch (WorkflowDefinitionException ex)
        {
            var code = ex.Errors.Select(e => e.Code).Distinct().Single();
            var refused = (string?)spec["refused"];
            var fits = refused is not null && ex.Errors.Count == 1 && code == refused;
            return new Outcome(file, code, fits ? null : $"refused at publish: {ex.MessageEn}", [], "refused");
        }
        if (spec["refused"] is not null)
            return new Outcome(file, null, "published, Elsa refuses it", [], "published");
        if (spec["publishOnly"] is not null)
            return new Outcome(file, null, null, [], "published");
        if (spec["advance"] is { } advance)
            await AdvanceAsync(database, database.Clock.GetUtcNow() + TimeSpan.Parse((string)advance!, CultureInfo.InvariantCulture));
        if (spec["untilEnd"] is not null)
            await ResumeBookmarksUntilEndAsync(database, instance.Id);

        var (stored, state) = await InstanceAsync(database, instance.Id);
        var lines = Lines(state);
        var faults = new List<string>();
        if (spec["lines"] is JsonArray expectedLines && !expectedLines.Select(l => (string)l!).SequenceEqual(lines))
            faults.Add($"lines [{string.Join(", ", lines)}], Elsa [{string.Join(", ", expectedLines)}]");
        if (spec["status"] is { } status && stored.SubStatus.ToString() != (string)status!)
            faults.Add($"status {stored.SubStatus}, Elsa {status}");
        foreach (var (activityId, count) in spec["completed"]?.AsObject() ?? [])
        {
            var completed = state.Journal.Count(j => j.ActivityId == activityId && j.EventName == "Completed");
            if (completed != (int)count!)
                faults.Add($"{activityId} completed {completed} times, Elsa {count}");
        }
        foreach (var (name, value) in spec["outputs"]?.AsObject() ?? [])
        {
            if (!JsonNode.DeepEquals(state.Output.GetValueOrDefault(name), value))
                faults.Add($"output {name} = {state.Output.GetValueOrDefault(name)?.ToJsonString() ?? "null"}, Elsa {value?.ToJsonString()}");
        }
        foreach (var (name, value) in spec["variables"]?.AsObject() ?? [])
        {
            if (!JsonNode.DeepEquals(state.Variables.GetValueOrDefault(name), value))
                faults.Add($"variable {name} = {state.Variables.GetValueOrDefault(name)?.ToJsonString() ?? "null"}, Elsa {value?.ToJsonString()}");
        }
        return new Outcome(file, null, faults.Count == 0 ? null : string.Join("; ", faults), lines, stored.SubStatus.ToString());
    }
}
