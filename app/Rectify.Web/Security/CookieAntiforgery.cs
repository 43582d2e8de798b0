using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace Rectify.Web.Security;

/// <summary>
/// Every unsafe request (POST, PUT, PATCH, DELETE) a sign-in cookie authenticates must carry an antiforgery token,
/// bodiless ones included: in the X-XSRF-TOKEN header (API clients, the pages' scripts; GET /api/auth/antiforgery
/// hands one out) or the form field of a page's form. Endpoints that opt out (the Studio's /elsa/api, authorized by
/// a bearer token that a cross-site page cannot attach) are left alone.
/// </summary>
public static class CookieAntiforgery
{
    public static IApplicationBuilder UseCookieAntiforgery(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (IsUnsafe(context.Request.Method)
            && context.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == IdentityConstants.ApplicationScheme)
            && context.GetEndpoint()?.Metadata.GetMetadata<IAntiforgeryMetadata>() is not { RequiresValidation: false })
        {
            // Throws AntiforgeryValidationException, answered 400 antiforgery.invalid by the error handler.
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
        }
        await next(context);
    });

    private static bool IsUnsafe(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));
}
