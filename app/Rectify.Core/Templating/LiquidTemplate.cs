using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Scriban;
using Scriban.Parsing;
using Scriban.Syntax;

namespace Rectify.Templating;

/// <summary>
/// A parsed Liquid template (Scriban's Liquid parser), immutable once parsed and safe to render from many threads at
/// once (see <see cref="LiquidRenderer"/>). Parse it once and keep it; parsing reports errors with file, line and column.
/// </summary>
public sealed partial class LiquidTemplate
{
    // Liquid filters (escape, date, append …) are Scriban's built-ins under their Scriban names (html.escape …).
    private static readonly ParserOptions Options = new() { LiquidFunctionsToScriban = true };

    private LiquidTemplate(string? file, string source, Template parsed)
    {
        File = file;
        Source = source;
        Parsed = parsed;
        Depth = DepthOf(parsed.Page);
    }

    /// <summary>The file name given when parsing, for messages.</summary>
    public string? File { get; }

    public string Source { get; }

    /// <summary>How deep its blocks nest (0 for a template without tags).</summary>
    public int Depth { get; }

    internal Template Parsed { get; }

    /// <exception cref="TemplateSyntaxException">The template does not parse; its Error says where.</exception>
    public static LiquidTemplate Parse(string source, string? file = null) =>
        TryParse(source, file, out var template, out var error) ? template : throw new TemplateSyntaxException(error);

    /// <summary>Parses <paramref name="source"/>; on failure <paramref name="error"/> gives the first error's line and column (1-based).</summary>
    public static bool TryParse(string source, string? file, [NotNullWhen(true)] out LiquidTemplate? template, [NotNullWhen(false)] out TemplateError? error)
    {
        var parsed = Template.ParseLiquid(Comment().Replace(source, m =>
            $"{m.Groups["open"].Value}{m.Groups["dash"].Value.Replace('-', ' ')}%}}{m.Groups["text"].Value}{m.Groups["after"].Value}{m.Groups["close"].Value} %}}"), file, Options);
        if (parsed.HasErrors)
        {
            var first = parsed.Messages.First(m => m.Type == ParserMessageType.Error);
            template = null;
            // An error at the end of the text (a tag left open) comes without a position.
            var (line, column) = first.Span.Start.Line >= 0 ? (first.Span.Start.Line + 1, first.Span.Start.Column + 1) : End(source);
            error = new TemplateError(file, line, column, first.Message);
            return false;
        }
        template = new LiquidTemplate(file, source, parsed);
        error = null;
        return true;
    }

    public override string ToString() => File ?? "template";

    // Scriban's Liquid lexer prints the text of {% comment -%} and ignores the trim of {% endcomment -%}. The same
    // effect without them: the opening dash goes (the content is dropped anyway) and the whitespace the closing dash
    // would trim moves into the comment. Dashes become spaces and nothing else moves, so positions in messages stay right.
    [GeneratedRegex(@"(?<open>\{%-?\s*comment\s*)(?<dash>-?)%\}(?<text>.*?)(?<close>\{%-?\s*endcomment\s*)-%\}(?<after>\s*)", RegexOptions.Singleline)]
    private static partial Regex Comment();

    private static (int Line, int Column) End(string source) =>
        (1 + source.Count(c => c == '\n'), source.Length - source.LastIndexOf('\n'));

    // Blocks (if, for, case, capture …) are the statements that hold a block of statements.
    private static int DepthOf(ScriptNode? node)
    {
        if (node is null)
            return 0;
        var deepest = 0;
        for (var i = 0; i < node.ChildrenCount; i++)
            deepest = Math.Max(deepest, DepthOf(node.GetChildren(i)));
        return node is ScriptBlockStatement && node.Parent is not (null or ScriptPage) ? deepest + 1 : deepest;
    }
}
