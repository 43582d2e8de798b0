using Rectify.Inspections;
using Rectify.Web.Auth;

namespace Rectify.Web.Inspections;

/// <summary>/api/inspections: staff read, auditors record.</summary>
public static class InspectionsApi
{
    public static IEndpointRouteBuilder MapInspectionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/inspections").WithTags("Inspections").RequireAuthorization(Policies.Staff);
        group.MapGet("/", async (InspectionService service, HttpContext http, CancellationToken ct) =>
            await service.ListAsync(http.Actor(), ct));
        group.MapGet("/{id:int}", async (int id, InspectionService service, HttpContext http, CancellationToken ct) =>
            await service.GetAsync(id, http.Actor(), ct));
        group.MapPost("/", async (InspectionInput input, InspectionService service, HttpContext http, CancellationToken ct) =>
        {
            var inspection = await service.CreateAsync(input, http.Actor(), ct);
            return TypedResults.Created($"/api/inspections/{inspection.Id}", inspection);
        }).RequireAuthorization(Policies.Auditor);
        group.MapPut("/{id:int}", async (int id, InspectionInput input, InspectionService service, HttpContext http, CancellationToken ct) =>
            await service.UpdateAsync(id, input, http.Actor(), ct)).RequireAuthorization(Policies.Auditor);
        return app;
    }
}
