using DotLiquid;

namespace Rectify.Templating;

/// <summary>
/// A parsed Liquid template, immutable once parsed and safe to render from many threads at once
/// (see <see cref="LiquidRenderer"/>). Parse it once and keep it; parsing reports errors with file, line and column.
/// </summary>
public sealed class LiquidTemplate
{
    private LiquidTemplate(string? file, string source, Template parsed, int depth)
    {
        File = file;
        Source = source;
        Parsed = parsed;
        Depth = depth;
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

    public static bool TryParse(string source, string? file, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LiquidTemplate? template,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out TemplateError? error)
    {
        try
        {
            var parsed = Template.Parse(source, SyntaxCompatibility.DotLiquid22);
            template = new LiquidTemplate(file, source, parsed, OutputNode.Install(parsed));
            error = null;
            return true;
        }
        catch (Exception e) when (e is DotLiquid.Exceptions.LiquidException or ArgumentException or FormatException or InvalidOperationException)
        {
            template = null;
            error = SyntaxErrorLocator.Locate(source, file, e.Message);
            return false;
        }
    }

    public override string ToString() => File ?? "template";
}
