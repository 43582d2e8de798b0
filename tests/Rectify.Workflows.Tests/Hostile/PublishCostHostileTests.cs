using Microsoft.Extensions.Options;
using Rectify.Testing;
using Rectify.Time;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Expressions;

namespace Rectify.Workflows.Tests.Hostile;

/// <summary>
/// Publishing a designer's huge definition does not hold the server: 5,000 activities, and the 1,000 End activities that
/// took 37 s (growing cubically). The benchmark (<c>-- validation</c>) gives the figures (under a second on a quiet
/// machine); these bounds are ten times that, for a busy one, and still far below what the cubic check cost.
/// </summary>
public sealed class PublishCostHostileTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly DefinitionValidator _validator = new(new ActivityRegistry(ActivityRegistry.BuiltIn()),
        new ExpressionEvaluator(Options.Create(new ScriptOptions()), new OfficeClock(TimeProvider.System, Options.Create(new OfficeOptions())), TimeProvider.System));

    [Fact]
    public void A_5000_activity_definition_validates_within_the_bound()
    {
        var time = Fastest(LargeDefinitions.Chain(5_000), 3);
        output.WriteLine($"validate 5,000 activities: {time:F0} ms");
        Assert.True(time < Bound.TotalMilliseconds, $"5,000 activities: {time:F0} ms");
    }

    [Fact]
    public void A_thousand_end_activities_validate_within_the_bound()
    {
        var time = Fastest(LargeDefinitions.Ends(1_000), 3);
        output.WriteLine($"validate 1,000 End activities: {time:F0} ms");
        Assert.True(time < Bound.TotalMilliseconds, $"1,000 End activities: {time:F0} ms (was 37 s)");
    }

    /// <summary>
    /// The fastest of a few runs of parse + validate (a busy machine only ever adds time); the definition is valid, so
    /// every check runs.
    /// </summary>
    private double Fastest(string json, int runs) => LargeDefinitions.Timings(() => Assert.Empty(_validator.Validate(json)), runs)[0];
}
