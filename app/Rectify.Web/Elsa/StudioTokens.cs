using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Rectify.Auditing;
using Rectify.Web.Auth;

namespace Rectify.Web.Elsa;

/// <summary>What a Studio token allows: the whole designer API (supervisors), or reading one workflow instance.</summary>
public sealed record StudioGrant(Actor Actor, string? InstanceId, DateTimeOffset ExpiresAt, string Stamp)
{
    public bool CanDesign => InstanceId is null && Actor.IsSupervisor;

    /// <summary>Supervisors' designer tokens read any instance; viewer tokens read only the one they were issued for.</summary>
    public bool CanRead(string instanceId) => CanDesign || InstanceId == instanceId;
}

/// <summary>
/// Short-lived bearer tokens for the Studio's custom elements, issued by our pages for the signed-in user. They are
/// data-protected (so they cannot be forged or read) and expire on the office's <see cref="TimeProvider"/>. Each
/// carries the user's security stamp, which <see cref="StudioTokenFilter"/> compares with the stored one on every
/// call: signing out, deactivation or a password change revokes the user's tokens at once.
/// </summary>
public sealed class StudioTokens(IDataProtectionProvider protection, TimeProvider time, IOptions<IdentityOptions> identity)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly IDataProtector protector = protection.CreateProtector("Rectify.Elsa.StudioToken.v1");

    /// <summary>A token for the definition editor; only supervisors get one.</summary>
    public string IssueForDesigner(ClaimsPrincipal user)
    {
        if (!user.ToActor().IsSupervisor)
            throw new RectifyException("designer.forbidden", "只有主管可以设计流程。", "Only supervisors design workflows.", RectifyErrorKind.Forbidden);
        return Issue(user, null);
    }

    /// <summary>A token for the instance viewer of one workflow instance; the caller has checked the finding is visible.</summary>
    public string IssueForInstance(ClaimsPrincipal user, string instanceId) => Issue(user, instanceId);

    public StudioGrant? Validate(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        try
        {
            var payload = JsonSerializer.Deserialize<Payload>(protector.Unprotect(token));
            if (payload is null || payload.Exp <= time.GetUtcNow().ToUnixTimeSeconds()) return null;
            var actor = new Actor(payload.Sub, payload.Name, payload.Role, payload.Unit);
            return new StudioGrant(actor, payload.Instance, DateTimeOffset.FromUnixTimeSeconds(payload.Exp), payload.Stamp ?? "");
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    private string Issue(ClaimsPrincipal user, string? instanceId)
    {
        var actor = user.ToActor();
        var stamp = user.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType)
            ?? throw new InvalidOperationException("The sign-in carries no security stamp.");
        var payload = new Payload(actor.Id, actor.Name, actor.Role, actor.UnitId, instanceId, time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds(), stamp);
        return protector.Protect(JsonSerializer.Serialize(payload));
    }

    private sealed record Payload(string Sub, string Name, Rectify.Users.UserRole? Role, int? Unit, string? Instance, long Exp, string? Stamp);
}
