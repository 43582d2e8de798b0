using Rectify.Templating;

namespace Rectify.Core.Tests.Templating;

/// <summary>A template that does not parse is reported with its file, line and column.</summary>
public sealed class ParseErrorTests
{
    [Theory]
    // Scriban's parser points at the keyword where it noticed the mistake (1-based line and column).
    // A block never closed: the closing tag of the outer block that came first.
    [InlineData("第一行\n{% if a %}\n  {% for x in list %}{{ x }}\n{% endif %}", 4, 4)]
    [InlineData("{% for x in list %}\n{% if x %}{{ x }}\n{% endfor %}", 3, 4)]
    // A block still open at the end: the block's tag.
    [InlineData("<p>\n  {% if finding.is_overdue %}逾期\n</p>", 2, 6)]
    // A closing tag that closes nothing open.
    [InlineData("a\nb {% endfor %}", 2, 6)]
    // An output or tag that is never terminated: the end of its line or of the text.
    [InlineData("整改期限：{{ finding.deadline \n下一行", 1, 26)]
    [InlineData("ok\n{% if a", 2, 8)]
    // A tag whose own markup is wrong.
    [InlineData("{% for %}\n{% endfor %}", 1, 8)]
    // Inside a comment anything goes; the unclosed block after it is the error.
    [InlineData("{% comment %}{{ x {% endcomment %}\n{% if a %}", 2, 4)]
    // else outside any block.
    [InlineData("x\n{% else %}", 2, 4)]
    public void Reports_the_line_and_column_of_the_offending_tag(string source, int line, int column)
    {
        Assert.False(LiquidTemplate.TryParse(source, "reminder.html.liquid", out var template, out var error));
        Assert.Null(template);
        Assert.Equal(("reminder.html.liquid", line, column), (error.File, error.Line, error.Column));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.StartsWith($"reminder.html.liquid({line},{column}): ", error.ToString());
    }

    [Fact]
    public void Parse_throws_with_a_Chinese_message_naming_file_line_and_column()
    {
        var e = Assert.Throws<TemplateSyntaxException>(() => LiquidTemplate.Parse("一\n二 {% unless a %}", "notice.liquid"));
        Assert.Equal((2, 6), (e.Error.Line, e.Error.Column));
        Assert.Contains("模板 notice.liquid 第 2 行第 6 列有语法错误", e.Message);
    }

    [Fact]
    public void An_unknown_tag_fails_when_rendered_naming_it()
    {
        // Scriban reads an unknown tag as a call of that name, so it parses and fails at its first rendering.
        var template = LiquidTemplate.Parse("{{ a }}\n\n    {% frobnicate x %}", "reminder.html.liquid");
        var e = Assert.Throws<TemplateRuntimeException>(() => Liquid.Renderer().Render(template, null, RenderMode.Text));
        Assert.Contains("frobnicate", e.Message);
    }

    [Fact]
    public void Quoted_percent_and_braces_do_not_end_a_tag()
    {
        var template = LiquidTemplate.Parse("{% if a == \"%}\" %}x{% endif %}{{ \"}}\" | append: b }}");
        Assert.Equal("}}y", Liquid.Renderer().Render(template, new Dictionary<string, object?> { ["b"] = "y" }, RenderMode.Text));
    }

    [Fact]
    public void Raw_and_comment_blocks_may_contain_anything()
    {
        var template = LiquidTemplate.Parse("{% raw %}{% if {{ x {% endraw %}{% comment %}{% for {% endcomment %}ok");
        Assert.Equal("{% if {{ x ok", Liquid.Renderer().Render(template, null, RenderMode.Text));
    }

    [Fact]
    public void Every_template_of_the_repository_parses()
    {
        var folder = TemplatesFolder();
        var files = Directory.GetFiles(folder, "*.liquid", SearchOption.AllDirectories);
        Assert.True(files.Length >= 20, $"only {files.Length} templates under {folder}");
        foreach (var file in files)
        {
            var ok = LiquidTemplate.TryParse(File.ReadAllText(file), Path.GetFileName(file), out _, out var error);
            Assert.True(ok, error?.ToString());
        }
    }

    /// <summary>The repository's templates folder, found from this source file (builds may go to any artifacts path).</summary>
    internal static string TemplatesFolder([System.Runtime.CompilerServices.CallerFilePath] string here = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(here)!); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "templates");
            if (Directory.Exists(Path.Combine(candidate, "mail")))
                return candidate;
        }
        throw new DirectoryNotFoundException("templates/mail above " + here);
    }
}
