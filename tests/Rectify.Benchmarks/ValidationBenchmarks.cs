using Microsoft.Extensions.Options;
using Rectify.Testing;
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
        Measure(validator, LargeDefinitions.Chain(200), 1);
        var small = Measure(validator, LargeDefinitions.Chain(500), 5);
        var large = Measure(validator, LargeDefinitions.Chain(5_000), 3);
        var ends = Measure(validator, LargeDefinitions.Ends(1_000), 3);
        var parseSmall = MeasureParse(LargeDefinitions.Chain(500), 5);
        var parseLarge = MeasureParse(LargeDefinitions.Chain(5_000), 3);
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
    private static double Measure(DefinitionValidator validator, string json, int runs) => Median(LargeDefinitions.Timings(() =>
    {
        var errors = validator.Validate(json);
        if (errors.Count > 0)
            throw new InvalidOperationException($"The benchmark definition does not validate: {errors[0]}");
    }, runs));

    private static double MeasureParse(string json, int runs) => Median(LargeDefinitions.Timings(() => DefinitionParser.Parse(json), runs));

    private static double Median(List<double> times) => times[times.Count / 2];
}
