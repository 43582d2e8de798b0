using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Rectify.Auditing;

namespace Rectify.Web.Elsa;

/// <summary>What a Studio token allows: the whole designer API (supervisors), or reading one workflow instance.</summary>
public sealed record StudioGrant(Actor Actor, string? InstanceId, DateTimeOffset ExpiresAt)
{
    public bool CanDesign => InstanceId is null && Actor.IsSupervisor;

    /// <summary>Supervisors' designer tokens read any instance; viewer tokens read only the one they were issued for.</summary>
    public bool CanRead(string instanceId) => CanDesign || InstanceId == instanceId;
}

/// <summary>
/// Short-lived bearer tokens for the Studio's custom elements, issued by our pages for the signed-in user. They are
/// data-protected (so they cannot be forged or read) and expire on the office's <see cref="TimeProvider"/>.
/// </summary>
public sealed class StudioTokens(IDataProtectionProvider protection, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly IDataProtector protector = protection.CreateProtector("Rectify.Elsa.StudioToken.v1");

    /// <summary>A token for the definition editor; only supervisors get one.</summary>
    public string IssueForDesigner(Actor supervisor)
    {
        if (!supervisor.IsSupervisor)
            throw new RectifyException("designer.forbidden", "只有主管可以设计流程。", "Only supervisors design workflows.", RectifyErrorKind.Forbidden);
        return Issue(supervisor, null);
    }

    /// <summary>A token for the instance viewer of one workflow instance; the caller has checked the finding is visible.</summary>
    public string IssueForInstance(Actor actor, string instanceId) => Issue(actor, instanceId);

    public StudioGrant? Validate(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        try
        {
            var payload = JsonSerializer.Deserialize<Payload>(protector.Unprotect(token));
            if (payload is null || payload.Exp <= time.GetUtcNow().ToUnixTimeSeconds()) return null;
            var actor = new Actor(payload.Sub, payload.Name, payload.Role, payload.Unit);
            return new StudioGrant(actor, payload.Instance, DateTimeOffset.FromUnixTimeSeconds(payload.Exp));
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    private string Issue(Actor actor, string? instanceId)
    {
        var payload = new Payload(actor.Id, actor.Name, actor.Role, actor.UnitId, instanceId, time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds());
        return protector.Protect(JsonSerializer.Serialize(payload));
    }

    private sealed record Payload(string Sub, string Name, Rectify.Users.UserRole? Role, int? Unit, string? Instance, long Exp);
}
