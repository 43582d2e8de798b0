using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Scriban;
using Scriban.Functions;
using Scriban.Runtime;

namespace Rectify.Templating;

/// <summary>
/// The filters Rectify puts over Scriban's Liquid built-ins: the HTML ones return <see cref="TrustedHtml"/> (so an
/// escaped value is not encoded again) and <c>date</c> reads the rendering's clock and zone.
/// </summary>
internal static partial class LiquidFilters
{
    // Encodes what HTML needs (<, &, quotes) but leaves Chinese readable.
    public static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private static readonly DateTimeFunctions Dates = new();

    /// <summary>Pushed over Scriban's Liquid built-ins in every rendering; read-only, so renderings can share it.</summary>
    public static readonly ScriptObject Overrides = Create();

    private static ScriptObject Create()
    {
        var overrides = new ScriptObject();
        overrides.Import("escape", new Func<object?, object?>(Escape));
        overrides.Import("h", new Func<object?, object?>(Escape));
        overrides.Import("escape_once", new Func<object?, object?>(EscapeOnce));
        overrides.Import("newline_to_br", new Func<object?, object?>(NewlineToBr));
        overrides.Import("raw", new Func<object?, object?>(Raw));
        overrides.Import("sentence", new Func<object?, object?>(Sentence));
        // Liquid's date filter is parsed as date.parse_to_string.
        var date = new ScriptObject();
        date.Import("parse_to_string", new Func<TemplateContext, object?, string?, object?>(Date));
        overrides["date"] = date;
        date.IsReadOnly = true;
        overrides.IsReadOnly = true;
        return overrides;
    }

    // Sentence-ending punctuation a template adds itself after a value typed by someone.
    private static readonly char[] Enders = ['。', '；', '，', '！', '？', '.', ';', ',', '!', '?', ' ', '\n', '\r', '\t'];

    /// <summary>A typed text without its closing punctuation, so "意见：{{ c | sentence }}。" never reads "。。" or "；。".</summary>
    public static object? Sentence(object? input) => input switch
    {
        null => null,
        TrustedHtml trusted => new TrustedHtml(trusted.Html.TrimEnd(Enders)),
        _ => input.ToString()?.TrimEnd(Enders),
    };

    /// <summary>Marks a value as HTML the template trusts (e.g. an already rendered body): in HTML mode it is not encoded.</summary>
    public static object? Raw(object? input) => input is null or TrustedHtml ? input : new TrustedHtml(input.ToString() ?? "");

    public static object? Escape(object? input) => input switch
    {
        null => null,
        TrustedHtml trusted => trusted,
        // Liquid's escape: &, <, >, quotes; newlines stay, so newline_to_br can follow.
        _ => new TrustedHtml(WebUtility.HtmlEncode(input.ToString()) ?? ""),
    };

    // Entities already in the text stay as they are.
    public static object? EscapeOnce(object? input) => input switch
    {
        null or TrustedHtml => Escape(input),
        _ => new TrustedHtml(WebUtility.HtmlEncode(WebUtility.HtmlDecode(input.ToString())) ?? ""),
    };

    // Keeps the value's trust: escaped text with <br /> inserted stays trusted, a plain value is still encoded on output.
    public static object? NewlineToBr(object? input) => input switch
    {
        null => null,
        TrustedHtml trusted => new TrustedHtml(HtmlFunctions.NewlineToBr(trusted.Html) ?? ""),
        _ => HtmlFunctions.NewlineToBr(input.ToString()),
    };

    /// <summary>
    /// Formats a date or instant with a strftime format (<c>%Y年%-m月%-d日 %H:%M</c>) or, without <c>%</c>, a .NET one.
    /// Instants are shown in the office zone; "now" and "today" are the rendering's clock, not the machine's;
    /// a yyyy-MM-dd text is a local date.
    /// </summary>
    private static string? Date(TemplateContext context, object? input, string? format)
    {
        var state = (RenderContext)context;
        IFormattable? value = input switch
        {
            DateTimeOffset instant => TimeZoneInfo.ConvertTime(instant, state.Zone),
            DateTime or DateOnly => (IFormattable)input,
            string text when text.Equals("now", StringComparison.OrdinalIgnoreCase) || text.Equals("today", StringComparison.OrdinalIgnoreCase) => state.Now,
            string text when DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) => day,
            string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => TimeZoneInfo.ConvertTime(parsed, state.Zone),
            _ => null,
        };
        var culture = state.CurrentCulture;
        if (value is null)
            return input?.ToString();
        if (string.IsNullOrWhiteSpace(format) || !format.Contains('%'))
            return value.ToString(string.IsNullOrWhiteSpace(format) ? null : format, culture);
        var local = value switch
        {
            DateTimeOffset instant => instant.DateTime,
            DateOnly day => day.ToDateTime(TimeOnly.MinValue),
            _ => (DateTime)value,
        };
        // Scriban's strftime has no %-m (no padding); those are filled in here.
        var unpadded = NoPadding().Replace(format, m => m.Groups[1].Value switch
        {
            "m" => local.Month.ToString(culture),
            "d" => local.Day.ToString(culture),
            "H" => local.Hour.ToString(culture),
            "M" => local.Minute.ToString(culture),
            _ => m.Value,
        });
        return Dates.ToString(local, unpadded, culture);
    }

    [GeneratedRegex("%-([mdHM])")]
    private static partial Regex NoPadding();
}

/// <summary>HTML a template explicitly trusts (raw) or already encoded (escape): written as is in HTML parts.</summary>
internal sealed record TrustedHtml(string Html)
{
    public override string ToString() => Html;
}
