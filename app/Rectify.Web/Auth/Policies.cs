using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Rectify.Auditing;
using Rectify.Users;

namespace Rectify.Web.Auth;

/// <summary>Authorization policy names used by pages ([Authorize(Policy = ...)]) and endpoints (RequireAuthorization).</summary>
public static class Policies
{
    public const string Auditor = nameof(Auditor);
    public const string Supervisor = nameof(Supervisor);
    public const string Liaison = nameof(Liaison);
    /// <summary>Auditor or supervisor: the office's staff, who see every unit.</summary>
    public const string Staff = nameof(Staff);
    public const string SignedIn = nameof(SignedIn);

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Auditor, p => p.RequireAuthenticatedUser().RequireRole(Roles.Auditor));
        options.AddPolicy(Supervisor, p => p.RequireAuthenticatedUser().RequireRole(Roles.Supervisor));
        options.AddPolicy(Liaison, p => p.RequireAuthenticatedUser().RequireRole(Roles.UnitLiaison).RequireClaim(Roles.UnitClaim));
        options.AddPolicy(Staff, p => p.RequireAuthenticatedUser().RequireRole(Roles.Auditor, Roles.Supervisor));
        options.AddPolicy(SignedIn, p => p.RequireAuthenticatedUser());
        // Everything not marked otherwise (pages, endpoints) needs a signed-in user.
        options.FallbackPolicy = options.GetPolicy(SignedIn);
    }
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>The actor a signed-in user acts as; <see cref="Actor.System"/> is never returned for a user.</summary>
    public static Actor ToActor(this ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The user is not signed in.");
        var name = user.FindFirstValue(Roles.DisplayNameClaim) ?? user.Identity?.Name ?? id;
        UserRole? role = Enum.TryParse<UserRole>(user.FindFirstValue(ClaimTypes.Role), out var r) ? r : null;
        int? unitId = int.TryParse(user.FindFirstValue(Roles.UnitClaim), out var u) ? u : null;
        return new Actor(id, name, role, unitId);
    }
}
