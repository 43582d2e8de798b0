using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using DotLiquid;
using DotLiquid.Tags;

namespace Rectify.Templating;

/// <summary>
/// Stands in for every <c>{{ … }}</c> of a parsed template. DotLiquid has no auto-escaping and its value transformers
/// are process-wide, so the encoding decision is made here, per rendering: in HTML mode the output is encoded unless
/// the template already took charge of it (<c>raw</c>, <c>escape</c>, <c>escape_once</c>, <c>h</c>). Every output is
/// also bounded, including those inside a <c>capture</c>, which DotLiquid renders into its own buffer.
/// </summary>
// A Tag, because that is what DotLiquid renders besides text and variables (its IRenderable is internal).
internal sealed class OutputNode(Variable variable, bool encode) : Tag
{
    // Encodes what HTML needs (<, &, quotes) but leaves Chinese readable.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);
    private static readonly string[] TrustedFilters = ["raw", "escape", "escape_once", "h"];

    private readonly bool _encode = encode && !variable.Filters.Any(f => TrustedFilters.Contains(f.Name));

    public override void Render(Context context, TextWriter result)
    {
        var state = LiquidFilters.State(context);
        using var buffer = new StringWriter(result.FormatProvider);
        variable.Render(context, buffer);
        var text = buffer.ToString();
        if (text.Length > state.Limits.MaxOutputCharacters)
            throw new RenderLimitException($"输出超过 {state.Limits.MaxOutputCharacters} 个字符");
        result.Write(_encode && state.Mode == RenderMode.Html ? Encoder.Encode(text) : text);
    }

    /// <summary>
    /// Replaces the outputs of a parsed template with <see cref="OutputNode"/>s and returns how deep its blocks nest.
    /// DotLiquid keeps a tag's children in lists that are partly private (if/case conditions, for's else), so the
    /// tree is walked through the fields that hold node lists.
    /// </summary>
    public static int Install(Template template)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        return Visit(template.Root, 0, false, seen);
    }

    private static int Visit(object node, int depth, bool inCapture, HashSet<object> seen)
    {
        var deepest = depth;
        for (var type = node.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                IEnumerable<List<object>?> children = field.GetValue(node) switch
                {
                    List<object> list => [list],
                    Condition condition => [condition.Attachment],
                    IEnumerable<Condition> conditions => conditions.Select(c => c.Attachment),
                    _ => [],
                };
                foreach (var list in children)
                    deepest = Math.Max(deepest, VisitList(list, depth, inCapture, seen));
            }
        }
        return deepest;
    }

    private static int VisitList(List<object>? list, int depth, bool inCapture, HashSet<object> seen)
    {
        if (list is null || !seen.Add(list))
            return depth;
        var deepest = depth;
        for (var i = 0; i < list.Count; i++)
        {
            switch (list[i])
            {
                case Variable variable:
                    // A captured text is encoded when it is output, not while it is captured.
                    list[i] = new OutputNode(variable, encode: !inCapture);
                    break;
                case OutputNode:
                    break;
                case Tag tag:
                    deepest = Math.Max(deepest, Visit(tag, depth + 1, inCapture || tag is Capture, seen));
                    break;
            }
        }
        return deepest;
    }
}
