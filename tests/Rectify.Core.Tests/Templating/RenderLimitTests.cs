using System.Diagnostics;
using Rectify.Templating;

namespace Rectify.Core.Tests.Templating;

/// <summary>A runaway template stops with a Chinese message within its limits, without hanging or filling memory.</summary>
public sealed class RenderLimitTests
{
    private static readonly RenderLimits Tight = new()
    {
        MaxIterations = 1_000, MaxDepth = 8, MaxOutputCharacters = 10_000, Timeout = TimeSpan.FromMilliseconds(500),
    };

    private static RenderLimitException Stops(string source, RenderMode mode = RenderMode.Text, RenderLimits? limits = null)
    {
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<RenderLimitException>(() => Liquid.Render(source, Liquid.SampleMail(), mode, limits ?? Tight));
        // Not a speed test: the runaway templates here would run for minutes, so this bound only tells "stopped by a
        // limit" from "ran to the end", with room for a busy 2-core CI machine.
        Assert.True(watch.Elapsed < Tight.Timeout + TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Contains("模板 test.liquid 已中止", e.Message);
        return e;
    }

    [Fact]
    public void A_huge_range_loop_stops_at_the_iteration_limit()
    {
        var e = Stops("{% for i in (1..100000000) %}{% endfor %}");
        Assert.Contains("循环超过 1000 次", e.Message);
    }

    [Fact]
    public void Nested_loops_that_output_nothing_stop_at_the_timeout()
    {
        // Scriban counts the iterations of nested loops together, so the iteration limit is lifted to reach the timeout.
        var e = Stops("{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}{% assign x = c %}{% endfor %}{% endfor %}{% endfor %}",
            limits: Tight with { MaxIterations = 1_000_000_000 });
        Assert.Contains("渲染超过 0.5 秒", e.Message);
    }

    [Theory]
    [InlineData(RenderMode.Text)]
    [InlineData(RenderMode.Html)]
    public void Huge_output_stops_at_the_output_limit(RenderMode mode)
    {
        var e = Stops("{% for a in (1..1000) %}{% for b in (1..1000) %}{{ finding.description }}<br>{% endfor %}{% endfor %}", mode);
        Assert.Contains("输出超过 10000 个字符", e.Message);
    }

    [Fact]
    public void A_value_doubled_by_assign_stops_before_it_fills_memory()
    {
        var e = Stops("{% assign s = \"整改\" %}{% for i in (1..200) %}{% assign s = s | append: s %}{% endfor %}{{ s.size }}");
        Assert.Contains("输出超过 10000 个字符", e.Message);
    }

    [Fact]
    public void A_capture_that_doubles_itself_stops_too()
    {
        var e = Stops("{% assign s = \"x\" %}{% for i in (1..200) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}");
        Assert.Contains("输出超过 10000 个字符", e.Message);
    }

    [Fact]
    public void A_list_doubled_by_concat_stops()
    {
        // Scriban's concat is lazy: the list grows only when read, and reading it counts against the iteration limit.
        var e = Stops("{% assign l = \"a,b\" | split: \",\" %}{% for i in (1..100) %}{% assign l = l | concat: l %}{% endfor %}{{ l.size }}");
        Assert.Contains("循环超过 1000 次", e.Message);
    }

    [Fact]
    public void Blocks_nested_deeper_than_the_limit_do_not_render()
    {
        var source = string.Concat(Enumerable.Repeat("{% if true %}", 9)) + "深" + string.Concat(Enumerable.Repeat("{% endif %}", 9));
        Assert.Equal(9, LiquidTemplate.Parse(source).Depth);
        var e = Stops(source);
        Assert.Contains("嵌套 9 层，超过上限 8 层", e.Message);
        Assert.Equal("深", Liquid.Render(source, null, RenderMode.Text, Tight with { MaxDepth = 9 }));
    }

    [Fact]
    public void Within_the_limits_a_template_renders_whole()
    {
        var text = Liquid.Render("{% for i in (1..1000) %}{{ i }},{% endfor %}", null, RenderMode.Text, Tight);
        Assert.StartsWith("1,2,3,", text);
        Assert.EndsWith("999,1000,", text);
    }

    [Fact]
    public void An_unknown_filter_fails_clearly_instead_of_printing_an_error_into_the_mail()
    {
        var e = Assert.Throws<TemplateRuntimeException>(() => Liquid.Render("{{ office | shout }}", Liquid.SampleMail()));
        Assert.Contains("模板 test.liquid 渲染失败", e.Message);
        Assert.Contains("shout", e.Message);
    }
}
