using System.Reflection;
using Rectify.Data;

namespace Rectify.Core.Tests;

/// <summary>
/// Core knows no module: the workflow runtime, mail and notices build on Core (their tables, their bulk writing, the
/// data Core's pages show through interfaces they implement), never the other way round.
/// </summary>
public sealed class ModuleBoundaryTests
{
    private static readonly string[] Modules = ["Rectify.Workflows", "Rectify.Mail", "Rectify.Notices"];
    private static readonly Assembly Core = typeof(RectifyDb).Assembly;

    [Fact]
    public void Core_references_no_module_assembly()
    {
        var referenced = Core.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain(referenced, name => Modules.Contains(name));
    }

    [Fact]
    public void No_type_of_Core_names_a_module_type_in_its_signatures()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var offending = Core.GetTypes()
            .SelectMany(type => new[] { type.BaseType }.Concat(type.GetInterfaces())
                .Concat(type.GetFields(all).Select(f => f.FieldType))
                .Concat(type.GetProperties(all).Select(p => p.PropertyType))
                .Concat(type.GetMethods(all).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)))
                .Concat(type.GetConstructors(all).SelectMany(c => c.GetParameters().Select(p => p.ParameterType)))
                .Where(t => t is not null)
                .SelectMany(t => Flatten(t!))
                .Where(t => Modules.Contains(t.Assembly.GetName().Name))
                .Select(t => $"{type.FullName} → {t.FullName}"))
            .Distinct()
            .ToList();
        Assert.Empty(offending);
    }

    /// <summary>A type and the types it is made of (List&lt;T&gt;, T[] …).</summary>
    private static IEnumerable<Type> Flatten(Type type) =>
        type.HasElementType ? Flatten(type.GetElementType()!)
        : type.IsGenericType ? type.GetGenericArguments().SelectMany(Flatten).Prepend(type.GetGenericTypeDefinition())
        : [type];
}
