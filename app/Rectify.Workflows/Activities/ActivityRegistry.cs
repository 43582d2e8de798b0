using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Rectify.Workflows.Activities;

/// <summary>Every activity type the runtime can execute, by Elsa type name; the designer's toolbox comes from here.</summary>
public sealed class ActivityRegistry
{
    private readonly Dictionary<string, Activity> _byType;

    public ActivityRegistry(IEnumerable<Activity> activities)
    {
        _byType = new Dictionary<string, Activity>(StringComparer.Ordinal);
        foreach (var activity in activities)
        {
            if (!_byType.TryAdd(activity.Descriptor.TypeName, activity))
                throw new InvalidOperationException($"Two activities are named {activity.Descriptor.TypeName}: {_byType[activity.Descriptor.TypeName].GetType().FullName} and {activity.GetType().FullName}.");
        }
    }

    /// <summary>The built-in activity types, one instance each (they are stateless).</summary>
    public static IReadOnlyList<Activity> BuiltIn() => In(typeof(ActivityRegistry).Assembly);

    /// <summary>The activity types an assembly declares: public, concrete, with a parameterless constructor.</summary>
    public static IReadOnlyList<Activity> In(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Activity)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (Activity)Activator.CreateInstance(t)!)
            .OrderBy(a => a.Descriptor.TypeName, StringComparer.Ordinal)
            .ToList();

    public IEnumerable<Activity> All => _byType.Values;

    /// <summary>The toolbox: the descriptors of the browsable types.</summary>
    public IEnumerable<ActivityDescriptor> Descriptors => _byType.Values.Select(a => a.Descriptor).Where(d => d.IsBrowsable);

    public bool TryGet(string typeName, [NotNullWhen(true)] out Activity? activity) => _byType.TryGetValue(typeName, out activity);

    /// <summary>The activity that runs a node: its type's, or for another workflow used as an activity the one that runs workflows.</summary>
    public bool TryGet(Definitions.ActivityNode node, [NotNullWhen(true)] out Activity? activity) =>
        TryGet(node.WorkflowDefinitionId is null ? node.Type : WorkflowDefinitionActivity.TypeName, out activity);

    public Activity Get(Definitions.ActivityNode node) =>
        TryGet(node, out var activity) ? activity : throw new InvalidOperationException($"Unknown activity type '{node.Type}'.");

    public Activity Get(string typeName) =>
        _byType.TryGetValue(typeName, out var activity) ? activity : throw new InvalidOperationException($"Unknown activity type '{typeName}'.");
}
