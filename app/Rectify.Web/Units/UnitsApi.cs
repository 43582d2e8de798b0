using Rectify.Units;
using Rectify.Web.Auth;

namespace Rectify.Web.Units;

public sealed record UnitDto(int Id, string Name, string Aliases, UnitKind Kind, int? ParentId, string? ParentName,
    Contact Leader, Contact Liaison, int SortOrder, bool IsActive);

/// <summary>/api/units: units and their contacts; everyone reads (a liaison its own unit), supervisors change.</summary>
public static class UnitsApi
{
    public static IEndpointRouteBuilder MapUnitsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/units").WithTags("Units").RequireAuthorization(Policies.SignedIn);
        group.MapGet("/", async (bool? includeInactive, UnitService service, HttpContext http, CancellationToken ct) =>
            (await service.ListAsync(http.Actor(), includeInactive ?? false, ct)).Select(ToDto).ToList());
        group.MapGet("/{id:int}", async (int id, UnitService service, HttpContext http, CancellationToken ct) =>
            ToDto(await service.GetAsync(id, http.Actor(), ct)));
        group.MapPost("/", async (UnitInput input, UnitService service, HttpContext http, CancellationToken ct) =>
        {
            var unit = await service.CreateAsync(input, http.Actor(), ct);
            return TypedResults.Created($"/api/units/{unit.Id}", ToDto(unit));
        }).RequireAuthorization(Policies.Supervisor);
        group.MapPut("/{id:int}", async (int id, UnitInput input, UnitService service, HttpContext http, CancellationToken ct) =>
            ToDto(await service.UpdateAsync(id, input, http.Actor(), ct))).RequireAuthorization(Policies.Supervisor);
        return app;
    }

    public static UnitDto ToDto(Unit u) => new(u.Id, u.Name, u.Aliases, u.Kind, u.ParentId, u.Parent?.Name, u.Leader, u.Liaison, u.SortOrder, u.IsActive);
}
