using Microsoft.AspNetCore.Identity;
using Rectify.Units;

namespace Rectify.Users;

public class AppUser : IdentityUser, Rectify.Auditing.IAuditable
{
    public string DisplayName { get; set; } = "";
    public UserRole Role { get; set; }
    /// <summary>Set for a <see cref="UserRole.UnitLiaison"/> only: the one unit whose findings the user sees.</summary>
    public int? UnitId { get; set; }
    public Unit? Unit { get; set; }
    public bool IsActive { get; set; } = true;
}

public enum UserRole
{
    Auditor,
    UnitLiaison,
    Supervisor,
}

public static class Roles
{
    public const string Auditor = nameof(UserRole.Auditor);
    public const string UnitLiaison = nameof(UserRole.UnitLiaison);
    public const string Supervisor = nameof(UserRole.Supervisor);
    /// <summary>Claim carrying a liaison's unit id.</summary>
    public const string UnitClaim = "rectify:unit";
    public const string DisplayNameClaim = "rectify:name";
}
