using Rectify.Categories;
using Rectify.Web.Auth;

namespace Rectify.Web.Categories;

/// <summary>/api/categories: the catalogue; everyone reads, supervisors change.</summary>
public static class CategoriesApi
{
    public static IEndpointRouteBuilder MapCategoriesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/categories").WithTags("Categories").RequireAuthorization(Policies.SignedIn);
        group.MapGet("/", async (bool? includeInactive, CategoryService service, CancellationToken ct) =>
            await service.ListAsync(includeInactive ?? false, ct));
        group.MapGet("/{id:int}", async (int id, CategoryService service, CancellationToken ct) => await service.GetAsync(id, ct));
        group.MapPost("/", async (CategoryInput input, CategoryService service, HttpContext http, CancellationToken ct) =>
        {
            var category = await service.CreateAsync(input, http.Actor(), ct);
            return TypedResults.Created($"/api/categories/{category.Id}", category);
        }).RequireAuthorization(Policies.Supervisor);
        group.MapPut("/{id:int}", async (int id, CategoryInput input, CategoryService service, HttpContext http, CancellationToken ct) =>
            await service.UpdateAsync(id, input, http.Actor(), ct)).RequireAuthorization(Policies.Supervisor);
        return app;
    }
}
