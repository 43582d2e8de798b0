using System.Text.RegularExpressions;
using DotLiquid;

namespace Rectify.Templating;

/// <summary>
/// Finds where a template that DotLiquid refused goes wrong, since its syntax errors carry no position: the first
/// unterminated or unknown tag, a closing tag that closes nothing open, a tag or output whose own markup does not
/// parse, else the innermost block never closed.
/// </summary>
internal static class SyntaxErrorLocator
{
    private static readonly string[] Intermediate = ["else", "elsif", "when"];

    public static TemplateError Locate(string source, string? file, string message)
    {
        var offset = FindOffset(source) ?? 0;
        var line = 1 + source.AsSpan(0, offset).Count('\n');
        var lineStart = offset == 0 ? 0 : source.LastIndexOf('\n', offset - 1) + 1;
        var column = offset - lineStart + 1;
        return new TemplateError(file, line, column, message);
    }

    private static int? FindOffset(string source)
    {
        var open = new Stack<(string Name, int Offset)>();
        var position = 0;
        while (NextToken(source, position) is var (start, isTag))
        {
            var end = FindEnd(source, start + 2, isTag ? '%' : '}');
            if (end < 0)
                return start;
            position = end + 2;
            var token = source[start..position];
            var inner = token[2..^2].Trim('-').Trim();
            var name = new string(inner.TakeWhile(c => char.IsLetterOrDigit(c) || c == '_').ToArray());

            if (!isTag)
            {
                if (!Parses(token))
                    return start;
                continue;
            }
            if (name.Length == 0)
                return start;
            if (name.StartsWith("end", StringComparison.Ordinal) && TagType(name) is null)
            {
                if (open.Count == 0 || open.All(o => "end" + o.Name != name))
                    return start;
                // It closes an outer block: the mistake is the inner block left open.
                if ("end" + open.Peek().Name != name)
                    return open.Peek().Offset;
                open.Pop();
                continue;
            }
            if (Intermediate.Contains(name))
            {
                if (open.Count == 0)
                    return start;
                continue;
            }
            if (TagType(name) is not { } type)
                return start;
            if (Parses(token))
                continue;
            if (!Parses($"{token}{{% end{name} %}}"))
                return start;
            if (typeof(RawBlock).IsAssignableFrom(type))
            {
                // Inside raw or comment only the closing tag counts.
                var close = new Regex($@"{{%-?\s*end{name}\s*-?%}}").Match(source, position);
                if (!close.Success)
                    return start;
                position = close.Index + close.Length;
                continue;
            }
            open.Push((name, start));
        }
        return open.TryPeek(out var unclosed) ? unclosed.Offset : null;
    }

    private static (int Start, bool IsTag)? NextToken(string source, int from)
    {
        for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
        {
            if (source[i + 1] is '{' or '%')
                return (i, source[i + 1] == '%');
        }
        return null;
    }

    /// <summary>The index of the closing <c>%}</c> or <c>}}</c>, skipping quoted text; -1 when there is none.</summary>
    private static int FindEnd(string source, int from, char closing)
    {
        char? quote = null;
        for (var i = from; i + 1 < source.Length; i++)
        {
            var c = source[i];
            if (quote is not null)
            {
                if (c == quote)
                    quote = null;
            }
            else if (c is '"' or '\'')
                quote = c;
            else if (c == closing && source[i + 1] == '}')
                return i;
        }
        return -1;
    }

    private static Type? TagType(string name)
    {
        try
        {
            return Template.GetTagType(name);
        }
        catch (NullReferenceException)
        {
            // DotLiquid's lookup dereferences the missing entry.
            return null;
        }
    }

    private static bool Parses(string text)
    {
        try
        {
            Template.Parse(text, SyntaxCompatibility.DotLiquid22);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
