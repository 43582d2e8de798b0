using Rectify.Templating;

namespace Rectify.Core.Tests.Templating;

/// <summary>The mail templates of the repository render with view models shaped like the mail module's.</summary>
public sealed class RepositoryTemplateTests
{
    private static LiquidTemplate Load(string name) =>
        LiquidTemplate.Parse(File.ReadAllText(Path.Combine(ParseErrorTests.TemplatesFolder(), "mail", name)), name);

    [Fact]
    public void The_assigned_mail_renders_in_both_modes()
    {
        var renderer = Liquid.Renderer();
        var mail = Liquid.SampleMail("栏目 <空白> & 未更新");
        var subject = renderer.Render(Load("assigned.subject.liquid"), mail, RenderMode.Text);
        var text = renderer.Render(Load("assigned.txt.liquid"), mail, RenderMode.Text);
        var html = renderer.Render(Load("assigned.html.liquid"), mail, RenderMode.Html);

        Assert.Contains("区教育局", subject);
        Assert.Contains("问题描述：栏目 <空白> & 未更新", text);
        Assert.Contains("整改期限：2026年3月10日", text);
        Assert.Contains("本单位全部整改事项：https://rectify.example.gov.cn/my", text);
        Assert.Contains("<td style=\"border:1px solid #ccc;\">栏目 &lt;空白&gt; &amp; 未更新</td>", html);
        Assert.Contains("<a href=\"https://rectify.example.gov.cn/findings/7\">", html);
        Assert.Contains("<p>张三：</p>", html);
    }

    [Fact]
    public void The_reminder_subject_counts_working_days()
    {
        var subject = Liquid.Renderer().Render(Load("reminder.subject.liquid"), Liquid.SampleMail(), RenderMode.Text);
        Assert.Equal("【催办】区教育局：问题整改剩余6个工作日（3月10日）", subject.Trim());
    }

    [Fact]
    public void The_deadline_changed_mail_names_the_new_date_once()
    {
        var renderer = Liquid.Renderer();
        var mail = Liquid.SampleMail() with { Values = new Dictionary<string, object?> { ["previous_deadline"] = "2026年3月14日", ["kind"] = "审核人员调整", ["reason"] = "按上级要求提前" } };
        var subject = renderer.Render(Load("deadline-changed.subject.liquid"), mail, RenderMode.Text);
        var text = renderer.Render(Load("deadline-changed.txt.liquid"), mail, RenderMode.Text);
        var html = renderer.Render(Load("deadline-changed.html.liquid"), mail, RenderMode.Html);
        Assert.Equal("【期限调整】区教育局：问题7整改期限调整为2026年3月10日", subject.Trim());
        Assert.Contains("整改期限已由2026年3月14日调整为2026年3月10日（剩余6个工作日（3月10日））。调整原因：审核人员调整——按上级要求提前", text);
        Assert.Contains("<strong>2026年3月10日</strong>（剩余6个工作日（3月10日））", html);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "剩余"));
    }

    [Fact]
    public void The_notice_body_and_page_render_from_plain_data()
    {
        var folder = Path.Combine(ParseErrorTests.TemplatesFolder(), "notice");
        var body = LiquidTemplate.Parse(File.ReadAllText(Path.Combine(folder, "notice.liquid")), "notice.liquid");
        var page = LiquidTemplate.Parse(File.ReadAllText(Path.Combine(folder, "notice-page.liquid")), "notice-page.liquid");
        Dictionary<string, object?> Row(params (string Key, object? Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);
        var finding = Row(("index", 1), ("category", "主动公开"), ("location", "首页"), ("description", "栏目 <空白>"), ("requirement", ""), ("deadline_text", "2026年3月10日"), ("note", ""));
        var unit = Row(("index", 1), ("unit_name", "区教育局"), ("findings", new[] { finding }));
        var total = Row(("findings", 1), ("reports_on_time", 0), ("accepted", 0), ("overdue", 0), ("rate_text", "0.0%"));
        var n = Row(("number", "政务公开办〔2026〕3号"), ("title", "关于检查情况的通报"), ("addressees", "各单位"), ("corrects_number", null),
            ("introduction", "引言"), ("sections", new Dictionary<string, string> { ["basic"] = "一", ["findings"] = "二", ["completion"] = "三", ["requirements"] = "四" }),
            ("period_text", "3月"), ("basic", Row(("findings", 1), ("units", 1), ("by_category", new[] { Row(("category", "主动公开"), ("count", 1)) }), ("by_category_text", "主动公开1个"))),
            ("as_of_text", "2026年3月2日"), ("completion_total", total), ("new_findings", new[] { unit }), ("completion", new[] { Row(("index", 1), ("unit_name", "区教育局"), ("findings", 1), ("reports_on_time", 0), ("accepted", 0), ("overdue", 0), ("rate_text", "0.0%")) }),
            ("requirements", new[] { "按时整改。" }), ("contact_line", ""), ("attachments", new[] { "责任人联系表" }), ("office", "区政务公开办"), ("date_text", "2026年3月2日"),
            ("contacts", Array.Empty<object>()), ("contacts_attachment_number", 1));
        var renderer = Liquid.Renderer();

        var html = renderer.Render(body, new Dictionary<string, object?> { ["n"] = n }, RenderMode.Html);
        // The notice's owner keeps refining the markup, so only what the data decides is checked here.
        Assert.Contains("区教育局", html);
        Assert.Contains("栏目 &lt;空白&gt;", html);
        Assert.DoesNotContain("<空白>", html);
        Assert.Contains("2026年3月10日", html);
        Assert.DoesNotContain("Liquid", html);

        var standalone = renderer.Render(page, new Dictionary<string, object?> { ["n"] = n, ["body"] = html }, RenderMode.Html);
        Assert.Contains("<title>关于检查情况的通报</title>", standalone);
        Assert.Contains(html, standalone);
    }
}
