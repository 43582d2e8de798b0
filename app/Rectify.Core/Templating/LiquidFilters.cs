using System.Collections;
using System.Globalization;
using DotLiquid;
using DotLiquid.Util;

namespace Rectify.Templating;

/// <summary>
/// Filters added to (or replacing) DotLiquid's standard ones for each rendering. They read the rendering's clock,
/// zone and limits from the context, so nothing is shared between renderings.
/// </summary>
public static class LiquidFilters
{
    internal const string StateRegister = "rectify";

    /// <summary>
    /// Marks an output as HTML the template trusts (e.g. an already rendered body): in HTML mode it is not encoded.
    /// The value itself is unchanged.
    /// </summary>
    public static object? Raw(object? input) => input;

    /// <summary>
    /// Formats a date or instant with a strftime format (<c>%Y年%-m月%-d日 %H:%M</c>) or, without <c>%</c>, a .NET one.
    /// Instants are shown in the office zone; "now" and "today" are the rendering's clock, not the machine's;
    /// a yyyy-MM-dd text is a local date.
    /// </summary>
    public static string? Date(Context context, object? input, string? format)
    {
        var state = State(context);
        object? value = input switch
        {
            DateTimeOffset instant => TimeZoneInfo.ConvertTime(instant, state.Zone),
            DateTime or DateOnly => input,
            string text when text.Equals("now", StringComparison.OrdinalIgnoreCase) || text.Equals("today", StringComparison.OrdinalIgnoreCase) => state.Now,
            string text when DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) => day,
            string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => TimeZoneInfo.ConvertTime(parsed, state.Zone),
            _ => input,
        };
        if (value is not (DateTimeOffset or DateTime or DateOnly))
            return value?.ToString();
        if (string.IsNullOrWhiteSpace(format))
            return ((IFormattable)value).ToString(null, state.Culture);
        var strftime = format.Contains('%');
        return value switch
        {
            DateTimeOffset instant => strftime ? instant.ToStrFTime(format, state.Culture) : instant.ToString(format, state.Culture),
            DateTime local => strftime ? local.ToStrFTime(format, state.Culture) : local.ToString(format, state.Culture),
            DateOnly day => strftime ? day.ToStrFTime(format, state.Culture) : day.ToString(format, state.Culture),
            _ => value.ToString(),
        };
    }

    // The filters below can double a value on each assign in a loop, so their results are bounded like the output.

    public static string Append(Context context, string? input, string? @string) =>
        Bounded(context, StandardFilters.Append(input!, @string!));

    public static string Prepend(Context context, string? input, string? @string) =>
        Bounded(context, StandardFilters.Prepend(input!, @string!));

    public static string? Replace(Context context, string? input, string? @string, string? replacement = "") =>
        Bounded(context, StandardFilters.Replace(context, input!, @string!, replacement!));

    public static string? Join(Context context, IEnumerable? input, string? glue = " ") =>
        Bounded(context, StandardFilters.Join(input!, glue!));

    public static IEnumerable? Concat(Context context, IEnumerable? left, IEnumerable? right)
    {
        var max = State(context).Limits.MaxIterations;
        var items = StandardFilters.Concat(left!, right!)?.Cast<object?>().Take(max + 1).ToList();
        if (items?.Count > max)
            throw new RenderLimitException($"列表超过 {max} 项");
        return items;
    }

    internal static RenderState State(Context context) => (RenderState)context.Registers[StateRegister];

    private static string Bounded(Context context, string? value)
    {
        var limit = State(context).Limits.MaxOutputCharacters;
        if (value?.Length > limit)
            throw new RenderLimitException($"输出超过 {limit} 个字符");
        return value ?? "";
    }
}

/// <summary>What one rendering's filters and outputs need: culture, zone, clock, mode and limits.</summary>
internal sealed record RenderState(CultureInfo Culture, TimeZoneInfo Zone, DateTimeOffset Now, RenderMode Mode, RenderLimits Limits);
