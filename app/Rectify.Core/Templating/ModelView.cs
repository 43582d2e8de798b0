using System.Collections;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace Rectify.Templating;

/// <summary>
/// Copies a model into what a template may see: plain values, <see cref="ScriptArray"/>s and <see cref="ScriptObject"/>s
/// built from string-keyed dictionaries and registered view-model types. Nothing else reaches the template (it
/// becomes nil), so no entity, service or query is ever handed to the engine. Instants are shown in the office zone.
/// </summary>
internal sealed class ModelView(ViewModelTypes types, TimeZoneInfo zone)
{
    public object? Convert(object? value) => value switch
    {
        null => null,
        string or bool or char or decimal or double or float or int or long or short or byte or uint or ulong or ushort or sbyte => value,
        DateTimeOffset instant => TimeZoneInfo.ConvertTime(instant, zone),
        DateTime or DateOnly or TimeOnly or TimeSpan => value,
        Enum e => e.ToString(),
        Guid g => g.ToString(),
        _ when types.TryGetMembers(value.GetType(), out var members) => Object(members.Select(m => (m.Key, m.Value.GetValue(value)))),
        IDictionary dictionary => Object(Entries(dictionary)),
        // A query would run against the database just by being listed.
        IQueryable => null,
        IEnumerable list => new LiquidList(list.Cast<object?>().Select(Convert)),
        _ => null,
    };

    /// <summary>The top-level variables: a dictionary's entries or a registered object's members (empty for anything else).</summary>
    public ScriptObject Root(object? model) => Convert(model) as ScriptObject ?? new ScriptObject();

    private static IEnumerable<(string, object?)> Entries(IDictionary dictionary)
    {
        for (var entry = dictionary.GetEnumerator(); entry.MoveNext();)
        {
            if (entry.Key is string key)
                yield return (key, entry.Value);
        }
    }

    private ScriptObject Object(IEnumerable<(string Name, object? Value)> members)
    {
        var result = new ScriptObject(StringComparer.Ordinal);
        foreach (var (name, value) in members)
            result[name] = Convert(value);
        return result;
    }
}

/// <summary>A list as Liquid has it: <c>size</c>, <c>first</c> and <c>last</c> are members.</summary>
internal sealed class LiquidList(IEnumerable<object?> items) : ScriptArray(items)
{
    public override bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value)
    {
        switch (member)
        {
            case "first":
                value = Count > 0 ? this[0] : null;
                return true;
            case "last":
                value = Count > 0 ? this[Count - 1] : null;
                return true;
            default:
                return base.TryGetValue(context, span, member, out value);
        }
    }
}
