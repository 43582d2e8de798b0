using Rectify.Templating;

namespace Rectify.Core.Tests.Templating;

/// <summary>In HTML mode every value is encoded once; Chinese stays readable; text mode leaves values as they are.</summary>
public sealed class HtmlEncodingTests
{
    private const string Evil = "<script>alert('x')</script> & \"政策\"";

    [Fact]
    public void Html_mode_encodes_every_output_but_not_the_template_markup()
    {
        var html = Liquid.Render("<p title=\"{{ finding.description }}\">{{ finding.description }}</p>", Liquid.SampleMail(Evil), RenderMode.Html);
        Assert.DoesNotContain("<script>", html);
        Assert.Equal(
            "<p title=\"&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;政策&quot;\">&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;政策&quot;</p>",
            html);
    }

    [Fact]
    public void Text_mode_leaves_values_alone()
    {
        Assert.Equal(Evil, Liquid.Render("{{ finding.description }}", Liquid.SampleMail(Evil)));
    }

    [Fact]
    public void Outputs_inside_blocks_loops_and_filters_are_encoded_too()
    {
        var model = new Dictionary<string, object?> { ["items"] = new[] { "<b>一</b>", "<i>二</i>" }, ["flag"] = true };
        var html = Liquid.Render(
            "{% if flag %}{% for x in items %}[{{ x }}]{% else %}{% endfor %}{% endif %}{% case 1 %}{% when 1 %}{{ items.first | upcase }}{% endcase %}{{ nothing | default: \"<默认>\" }}",
            model, RenderMode.Html);
        Assert.Equal("[&lt;b&gt;一&lt;/b&gt;][&lt;i&gt;二&lt;/i&gt;]&lt;B&gt;一&lt;/B&gt;&lt;默认&gt;", html);
    }

    [Fact]
    public void Raw_trusts_the_value_and_escape_is_not_applied_twice()
    {
        var model = new Dictionary<string, object?> { ["body"] = "<article>正文</article>", ["comment"] = "第一行 <b>\n第二行" };
        var html = Liquid.Render("{{ body | raw }}|{{ comment | escape | newline_to_br }}", model, RenderMode.Html);
        Assert.Equal("<article>正文</article>|第一行 &lt;b&gt;<br />\n第二行", html);
    }

    [Fact]
    public void A_captured_value_is_encoded_once_when_output()
    {
        var html = Liquid.Render("{% capture who %}{{ unit.name }} & {{ recipient.name }}{% endcapture %}<p>{{ who }}</p>", Liquid.SampleMail(), RenderMode.Html);
        Assert.Equal("<p>区教育局 &amp; 张三</p>", html);
    }

    [Fact]
    public void Renderings_in_both_modes_at_once_do_not_disturb_each_other()
    {
        var template = LiquidTemplate.Parse("{{ finding.description }}");
        var renderer = Liquid.Renderer();
        var model = Liquid.SampleMail("<b>");
        var results = new System.Collections.Concurrent.ConcurrentBag<(RenderMode, string)>();
        Parallel.For(0, 400, i =>
        {
            var mode = i % 2 == 0 ? RenderMode.Html : RenderMode.Text;
            results.Add((mode, renderer.Render(template, model, mode)));
        });
        Assert.All(results, r => Assert.Equal(r.Item1 == RenderMode.Html ? "&lt;b&gt;" : "<b>", r.Item2));
    }
}
