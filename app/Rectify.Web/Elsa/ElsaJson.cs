using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rectify.Web.Elsa;

/// <summary>The Elsa server's JSON conventions, which the Studio expects: camelCase, enums as strings, lists as {items, count}.</summary>
public static class ElsaJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static IResult Ok<T>(T value) => Results.Json(value, Options);

    public static IResult List<T>(IReadOnlyCollection<T> items) => Results.Json(new { items, count = items.Count }, Options);
}
