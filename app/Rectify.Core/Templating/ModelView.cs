using System.Collections;
using System.Collections.Frozen;
using System.Reflection;
using DotLiquid;

namespace Rectify.Templating;

/// <summary>
/// Turns a model into what DotLiquid may see: plain values, lists, string-keyed dictionaries and
/// <see cref="ObjectView"/>s of registered view-model types. Everything else becomes nil (renders empty).
/// Instants are shown in the office time zone.
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
        _ when types.TryGetMembers(value.GetType(), out var members) => new ObjectView(value, members, this),
        IDictionary dictionary => ConvertDictionary(dictionary),
        // A query would run against the database just by being listed.
        IQueryable => null,
        IEnumerable list => list.Cast<object?>().Select(Convert).ToList(),
        _ => null,
    };

    /// <summary>The top-level variables: a dictionary's entries or a registered object's members.</summary>
    public Hash Root(object? model)
    {
        var root = new Hash();
        switch (Convert(model))
        {
            case IDictionary<string, object?> entries:
                foreach (var (key, value) in entries)
                    root[key] = value;
                break;
            case ObjectView view:
                foreach (var name in view.Names)
                    root[name] = view[name];
                break;
        }
        return root;
    }

    private Dictionary<string, object?> ConvertDictionary(IDictionary dictionary)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dictionary)
        {
            if (entry.Key is string key)
                result[key] = Convert(entry.Value);
        }
        return result;
    }

    /// <summary>A registered view model: its properties by snake_case name, converted when read.</summary>
    private sealed class ObjectView(object target, FrozenDictionary<string, PropertyInfo> members, ModelView model)
        : IIndexable, ILiquidizable
    {
        public IEnumerable<string> Names => members.Keys;

        public object? this[object key] =>
            key is string name && members.TryGetValue(name, out var property) ? model.Convert(property.GetValue(target)) : null;

        public bool ContainsKey(object key) => key is string name && members.ContainsKey(name);

        public object ToLiquid() => this;
    }
}
