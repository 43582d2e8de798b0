using System.Globalization;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace Rectify.Templating;

/// <summary>
/// One rendering: its zone and clock (for <c>date</c>) and its mode. In HTML mode every <c>{{ … }}</c> is encoded
/// when written, unless the template marked it trusted (<c>raw</c>) or encoded it already (<c>escape</c>); a captured
/// text is encoded when it is output, not while it is captured, so it is never encoded twice.
/// </summary>
internal sealed class RenderContext(TimeZoneInfo zone, DateTimeOffset now, RenderMode mode) : LiquidTemplateContext
{
    public TimeZoneInfo Zone { get; } = zone;

    public DateTimeOffset Now { get; } = now;

    // An object outputs nothing, as in Liquid, rather than a dump of its members.
    public override string ObjectToString(object? value, bool nested = false) => value is ScriptObject ? "" : base.ObjectToString(value, nested) ?? "";

    public override TemplateContext Write(SourceSpan span, object? textAsObject)
    {
        // OutputCount > 1: inside a capture, which pushes an output of its own.
        if (mode == RenderMode.Html && OutputCount == 1 && textAsObject is not (null or TrustedHtml))
            return Write(LiquidFilters.Encoder.Encode(ObjectToString(textAsObject)));
        return base.Write(span, textAsObject);
    }
}
