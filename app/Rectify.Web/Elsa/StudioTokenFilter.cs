using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Data;

namespace Rectify.Web.Elsa;

/// <summary>
/// Admits a request to /elsa/api only with a valid Studio token (Authorization: Bearer …): 401 without one. The
/// grant is kept for the endpoints (designer calls need <see cref="StudioGrant.CanDesign"/>, else 403) and its actor
/// becomes the scope's actor, so saves are audited under the supervisor's name. The token's security stamp must still
/// be the user's and the account active: one indexed read per call, so a revoked token fails at once.
/// </summary>
public sealed class StudioTokenFilter(StudioTokens tokens, ActorContext actorContext, RectifyDb db) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var grant = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? tokens.Validate(header["Bearer ".Length..].Trim()) : null;
        if (grant is not null && !await db.Users.AnyAsync(u => u.Id == grant.Actor.Id && u.IsActive && u.SecurityStamp == grant.Stamp, http.RequestAborted))
            grant = null;
        if (grant is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid Studio token is required.");
        }
        http.Items[typeof(StudioGrant)] = grant;
        actorContext.Actor = grant.Actor;
        return await next(context);
    }
}

public static class StudioGrantExtensions
{
    public static StudioGrant Grant(this HttpContext http) => (StudioGrant)http.Items[typeof(StudioGrant)]!;

    public static IResult Forbidden() => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Only supervisors design workflows.");
}
