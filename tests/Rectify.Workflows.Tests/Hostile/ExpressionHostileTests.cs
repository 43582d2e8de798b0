using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rectify.Time;
using Rectify.Workflows.Expressions;

namespace Rectify.Workflows.Tests.Hostile;

/// <summary>
/// Probes of a hostile workflow designer's JavaScript: one call that builds a huge string or array, a catastrophic
/// regex, and the whole expression's time. Each must fail fast with the limit's message, not hold a request.
/// </summary>
public sealed class ExpressionHostileTests
{
    private static readonly ScriptOptions Limits = new();

    private static object? Run(string script)
    {
        var evaluator = new ExpressionEvaluator(Options.Create(Limits), new OfficeClock(TimeProvider.System, Options.Create(new OfficeOptions())), TimeProvider.System);
        var scope = new ExpressionScope(new Dictionary<string, object?> { ["description"] = "整改" }, new Dictionary<string, JsonNode?>());
        return evaluator.Evaluate("JavaScript", JsonSerializer.SerializeToElement(script), scope);
    }

    [Theory]
    [InlineData("'a'.repeat(256 * 1024 * 1024).length")]
    [InlineData("'a'.padEnd(256 * 1024 * 1024).length")]
    [InlineData("'a'.repeat(1000).repeat(1000).padStart(300000000).length")]
    [InlineData("new Array(900000).fill('x'.repeat(1000)).join('').length")]
    [InlineData("'a'.repeat(4000000).replaceAll('a', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb').length")]
    [InlineData("'a'.repeat(400000).replace(/a/g, () => 'b'.repeat(1000)).length")]
    [InlineData("''.concat(...new Array(900000).fill('y'.repeat(1000))).length")]
    public void A_single_call_building_a_huge_string_is_refused_before_it_allocates(string script)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ExpressionException>(() => Run(script));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        // Refused by the string bounds, or by the memory or time limit when the parts already outgrow it: never allocated in full.
        Assert.Matches("Invalid string length|JavaScript stopped: it (used more|ran longer) than", error.Message);
        Assert.True(allocated < 4 * Limits.MemoryLimitBytes, $"{allocated / 1024 / 1024} MB allocated for a {Limits.MemoryLimitBytes / 1024 / 1024} MB limit");
    }

    [Fact]
    public void An_array_beyond_the_size_limit_is_refused()
    {
        var error = Assert.Throws<ExpressionException>(() => Run("new Array(50000000).fill(0).length"));
        Assert.StartsWith("JavaScript", error.Message);
    }

    [Fact]
    public void A_catastrophic_regex_is_stopped_within_the_time_limit()
    {
        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<ExpressionException>(() => Run("/^(a+)+$/.test('a'.repeat(40) + '!')"));
        watch.Stop();
        Assert.Equal($"JavaScript stopped: it ran longer than {Limits.TimeoutMilliseconds} ms.", error.Message);
        // Generous bound for a loaded machine: the limit plus one regex slice, never Jint's 10 s default.
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(Limits.TimeoutMilliseconds * 2.5), $"{watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void Regexes_run_one_after_another_share_the_expression_time_limit()
    {
        var watch = Stopwatch.StartNew();
        Assert.Throws<ExpressionException>(() => Run("let n = 0; for (let i = 0; i < 100; i++) { try { /^(a+)+$/.test('a'.repeat(40) + '!'); } catch (e) { n++; } } n"));
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(Limits.TimeoutMilliseconds * 2.5), $"{watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void Ordinary_string_work_still_runs()
    {
        Assert.Equal("整改整改-----|a,b|xb", Run("finding.description.repeat(2).padEnd(9, '-') + '|' + ['a', 'b'].join(',') + '|' + 'ab'.replace('a', 'x')"));
    }
}
