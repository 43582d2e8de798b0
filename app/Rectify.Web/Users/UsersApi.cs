using Rectify.Users;
using Rectify.Web.Auth;

namespace Rectify.Web.Users;

public sealed record PasswordBody(string Password);

public sealed record ActiveBody(bool Active);

/// <summary>/api/users: supervisors manage accounts.</summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Supervisor);
        group.MapGet("/", async (UserAdminService service, HttpContext http, CancellationToken ct) =>
            await service.ListAsync(http.Actor(), ct));
        group.MapPost("/", async (UserInput input, UserAdminService service, HttpContext http, CancellationToken ct) =>
        {
            var user = await service.CreateAsync(input, http.Actor(), ct);
            return TypedResults.Created($"/api/users/{user.Id}", new { user.Id, user.UserName });
        });
        group.MapPut("/{id}", async (string id, UserInput input, UserAdminService service, HttpContext http, CancellationToken ct) =>
        {
            var user = await service.UpdateAsync(id, input, http.Actor(), ct);
            return new { user.Id, user.UserName };
        });
        group.MapPost("/{id}/password", async (string id, PasswordBody body, UserAdminService service, HttpContext http, CancellationToken ct) =>
        {
            await service.ResetPasswordAsync(id, body.Password ?? "", http.Actor(), ct);
            return Results.NoContent();
        });
        group.MapPost("/{id}/active", async (string id, ActiveBody body, UserAdminService service, HttpContext http, CancellationToken ct) =>
        {
            await service.SetActiveAsync(id, body.Active, http.Actor(), ct);
            return Results.NoContent();
        });
        return app;
    }
}
