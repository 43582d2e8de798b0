using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Rectify.Users;

namespace Rectify.Web.Auth;

public sealed record LoginRequest(string UserName, string Password);

public sealed record MeResponse(string Id, string Name, string? Role, int? UnitId);

/// <summary>Sign-in for API clients (the same cookie the pages use) and the antiforgery token for form posts.</summary>
public static class AuthApi
{
    public const long SignInMaxBytes = 64 * 1024;

    public static RectifyException InvalidCredentials() => new("auth.invalid_credentials",
        "用户名或密码错误；连续错误 5 次后账号将锁定 15 分钟。", "Wrong user name or password; 5 failures in a row lock the account for 15 minutes.",
        RectifyErrorKind.Invalid);

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");

        group.MapPost("/login", async (LoginRequest request, SignInManager<AppUser> signIn) =>
        {
            var result = await signIn.PasswordSignInAsync(request.UserName ?? "", request.Password ?? "", isPersistent: false, lockoutOnFailure: true);
            if (result.Succeeded)
                return Results.NoContent();
            // One answer for an unknown name, a wrong password, a locked or deactivated account: no name enumeration.
            throw InvalidCredentials();
        }).AllowAnonymous().WithMetadata(new RequestSizeLimitAttribute(SignInMaxBytes));

        group.MapPost("/logout", async (SignInManager<AppUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.NoContent();
        });

        group.MapGet("/me", (HttpContext context) =>
        {
            var actor = context.Actor();
            return new MeResponse(actor.Id, actor.Name, actor.Role?.ToString(), actor.UnitId);
        });

        // Every unsafe call a sign-in cookie authenticates needs this token in the X-XSRF-TOKEN header (Security/
        // CookieAntiforgery). Anonymous too: the token is tied to whoever asks, and a client may ask before signing in.
        group.MapGet("/antiforgery", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Results.Ok(new { token = tokens.RequestToken, header = tokens.HeaderName });
        }).AllowAnonymous();
        return app;
    }
}
