using System.Reflection;

namespace Rectify.Workflows.Activities;

// An activity declared on its class, as Elsa declares one: [Activity] names it, each [Input] property of type Input<T>
// is an input whose descriptor comes from T, and [Port] lists its outcomes. The activity reads an input with
// context.Get(Text): the runtime evaluates the node's expression (literal, JavaScript, Liquid) and converts it to T.

/// <summary>Names an activity type for the toolbox; its inputs come from its <see cref="InputAttribute"/> properties.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ActivityAttribute(string typeName, string displayName, string displayNameEn, string category, string categoryEn,
    string description, string descriptionEn) : Attribute
{
    public string TypeName { get; } = typeName;
    public string DisplayName { get; } = displayName;
    public string DisplayNameEn { get; } = displayNameEn;
    public string Category { get; } = category;
    public string CategoryEn { get; } = categoryEn;
    public string Description { get; } = description;
    public string DescriptionEn { get; } = descriptionEn;
    /// <summary>Elsa's kind: Action, Task (waits for people), Trigger, Job.</summary>
    public string Kind { get; init; } = "Action";
    public bool ShowInTimeline { get; init; } = true;
}

/// <summary>One outcome port of a declared activity, in order; without any the activity has the single port Done.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PortAttribute(string name, string displayName, string displayNameEn) : Attribute
{
    public PortDescriptor Port { get; } = new(name, displayName, displayNameEn);
}

/// <summary>Describes an <see cref="Input{T}"/> property; its name and type are the property's.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class InputAttribute(string displayName, string displayNameEn) : Attribute
{
    public string DisplayName { get; } = displayName;
    public string DisplayNameEn { get; } = displayNameEn;
    public string Description { get; init; } = "";
    public string DescriptionEn { get; init; } = "";
    /// <summary>Null: a check box for a boolean, a dropdown of its names for an enumeration, a single line otherwise.</summary>
    public string? UiHint { get; init; }
    public bool Required { get; init; }
    /// <summary>The value used when the definition leaves the input out, as a literal string.</summary>
    public string? Default { get; init; }
    public string DefaultSyntax { get; init; } = "Literal";
    public string? OptionsProvider { get; init; }
    public string? Format { get; init; }
}

/// <summary>A typed input of a declared activity: the key under which <see cref="ActivityContext.Get{T}(Input{T})"/> finds its value.</summary>
public sealed class Input<T>
{
    /// <summary>The property's name, set when the activity is described.</summary>
    public string Name { get; internal set; } = "";
}

/// <summary>Builds the descriptor of an activity declared with <see cref="ActivityAttribute"/>.</summary>
internal static class ActivityDeclaration
{
    public static ActivityDescriptor Describe(Activity activity)
    {
        var type = activity.GetType();
        var declared = type.GetCustomAttribute<ActivityAttribute>()
            ?? throw new InvalidOperationException($"{type.FullName} overrides no Descriptor and has no [Activity] attribute.");
        var ports = type.GetCustomAttributes<PortAttribute>().Select(p => p.Port).ToList();
        return new ActivityDescriptor(declared.TypeName, declared.DisplayName, declared.DisplayNameEn, declared.Category, declared.CategoryEn,
            declared.Description, declared.DescriptionEn)
        {
            Kind = declared.Kind,
            ShowInTimeline = declared.ShowInTimeline,
            Inputs = Inputs(activity).ToList(),
            Outcomes = ports.Count > 0 ? ports : [PortDescriptor.Done],
        };
    }

    private static IEnumerable<InputDescriptor> Inputs(Activity activity)
    {
        foreach (var property in activity.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<InputAttribute>() is not { } declared)
                continue;
            if (!property.PropertyType.IsGenericType || property.PropertyType.GetGenericTypeDefinition() != typeof(Input<>))
                throw new InvalidOperationException($"[Input] {activity.GetType().Name}.{property.Name} must be an Input<T>.");
            var input = property.GetValue(activity)
                ?? throw new InvalidOperationException($"{activity.GetType().Name}.{property.Name} is null; initialise it with new().");
            // The key learns its name here, so the activity's code never repeats it.
            property.PropertyType.GetProperty(nameof(Input<object>.Name))!.SetValue(input, property.Name);
            var valueType = property.PropertyType.GetGenericArguments()[0];
            var plain = Nullable.GetUnderlyingType(valueType) ?? valueType;
            yield return new InputDescriptor(property.Name, TypeNameOf(plain), declared.DisplayName, declared.DisplayNameEn)
            {
                Description = declared.Description,
                DescriptionEn = declared.DescriptionEn,
                UiHint = declared.UiHint ?? (plain == typeof(bool) ? UiHints.Checkbox : plain.IsEnum ? UiHints.Dropdown : UiHints.SingleLine),
                Required = declared.Required,
                Default = declared.Default,
                DefaultSyntax = declared.DefaultSyntax,
                OptionsProvider = declared.OptionsProvider,
                Format = declared.Format,
                Options = plain.IsEnum ? Enum.GetNames(plain).Select(n => (n, n, n)).ToList() : [],
            };
        }
    }

    /// <summary>The type name the Studio and the publish checks know: System.Int32, System.String[] for a list of names.</summary>
    private static string TypeNameOf(Type type) =>
        type == typeof(List<string>) ? "System.String[]" : type.FullName ?? type.Name;
}
