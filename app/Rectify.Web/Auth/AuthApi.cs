using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Rectify.Users;

namespace Rectify.Web.Auth;

public sealed record LoginRequest(string UserName, string Password);

public sealed record MeResponse(string Id, string Name, string? Role, int? UnitId);

/// <summary>Sign-in for API clients (the same cookie the pages use) and the antiforgery token for form posts.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");

        group.MapPost("/login", async (LoginRequest request, SignInManager<AppUser> signIn) =>
        {
            var result = await signIn.PasswordSignInAsync(request.UserName ?? "", request.Password ?? "", isPersistent: false, lockoutOnFailure: true);
            if (result.Succeeded)
                return Results.NoContent();
            var (code, zh, en) = result.IsLockedOut
                ? ("auth.locked_out", "登录失败次数过多，账号已锁定 15 分钟。", "Too many failed sign-ins; the account is locked for 15 minutes.")
                : ("auth.invalid_credentials", "用户名或密码错误。", "Wrong user name or password.");
            throw new RectifyException(code, zh, en, RectifyErrorKind.Invalid);
        }).AllowAnonymous();

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

        // Multipart endpoints check antiforgery like the pages' forms: send this token in the X-XSRF-TOKEN header.
        group.MapGet("/antiforgery", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Results.Ok(new { token = tokens.RequestToken, header = tokens.HeaderName });
        });
        return app;
    }
}
