using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Rectify.Web.Errors;

/// <summary>
/// JSON bodies as their types declare them: a non-nullable field sent as null, or a non-nullable constructor
/// parameter left out, is a malformed request (400 <c>request.invalid</c>) instead of a null that fails deep inside as a
/// 500. Answers are written as before: nullability is not checked when serializing.
/// </summary>
public static class JsonInput
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.RespectNullableAnnotations = true;
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(Strict);
    }

    private static void Strict(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
            return;
        foreach (var property in type.Properties.Where(p => !p.PropertyType.IsValueType))
        {
            property.IsGetNullable = true;
            if (property.AssociatedParameter is { IsNullable: false, HasDefaultValue: false })
                property.IsRequired = true;
        }
    }
}
