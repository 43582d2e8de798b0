namespace Rectify.Templating;

/// <summary>Where a template does not parse: the file (when known), 1-based line and column, and the parser's message.</summary>
public sealed record TemplateError(string? File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File ?? "template"}({Line},{Column}): {Message}";
}
