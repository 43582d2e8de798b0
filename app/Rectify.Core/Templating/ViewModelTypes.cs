using System.Collections.Frozen;
using System.Reflection;
using Rectify.Auditing;
using Scriban.Runtime;

namespace Rectify.Templating;

/// <summary>
/// The types a template may read: view-model records and classes, listed explicitly by the feature that renders.
/// Their public properties are copied into script objects in snake_case (DeadlineText → deadline_text); methods,
/// fields and members of any other type are not, so a template can never reach an entity, a service or the database.
/// </summary>
public sealed class ViewModelTypes
{
    private readonly FrozenDictionary<Type, FrozenDictionary<string, PropertyInfo>> _types;

    public ViewModelTypes(params IEnumerable<Type> types)
    {
        var map = new Dictionary<Type, FrozenDictionary<string, PropertyInfo>>();
        foreach (var type in types)
        {
            // Entities are tracked by EF and lead everywhere (navigations, users); templates get view models only.
            if (typeof(IAuditable).IsAssignableFrom(type))
                throw new ArgumentException($"{type.FullName} is an entity; give templates a view model instead.", nameof(types));
            map[type] = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
                .GroupBy(p => MemberName(p.Name), StringComparer.Ordinal)
                .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        }
        _types = map.ToFrozenDictionary();
    }

    /// <summary>The name a template uses for a C# member: DeadlineText → deadline_text, IsLiaison → is_liaison.</summary>
    public static string MemberName(string name) => StandardMemberRenamer.Rename(name);

    public bool IsRegistered(Type type) => _types.ContainsKey(type);

    internal bool TryGetMembers(Type type, out FrozenDictionary<string, PropertyInfo> members) =>
        _types.TryGetValue(type, out members!);
}
