using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Units;

namespace Rectify.Users;

public sealed record UserInput(string UserName, string DisplayName, string Email, UserRole Role, int? UnitId, string? Password = null);

public sealed record UserRow(string Id, string UserName, string DisplayName, string Email, UserRole Role, int? UnitId, string? UnitName,
    bool IsActive, DateTimeOffset? LockoutEnd);

/// <summary>Supervisors manage the accounts: create with a role (and a unit for liaisons), reset passwords, deactivate.</summary>
public sealed class UserAdminService(RectifyDb db, UserManager<AppUser> users)
{
    public async Task<IReadOnlyList<UserRow>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        actor.RequireSupervisor();
        return await db.Users.AsNoTracking()
            .OrderBy(u => u.Role).ThenBy(u => u.UnitId).ThenBy(u => u.UserName)
            .Select(u => new UserRow(u.Id, u.UserName!, u.DisplayName, u.Email ?? "", u.Role, u.UnitId, u.Unit!.Name, u.IsActive, u.LockoutEnd))
            .ToListAsync(ct);
    }

    public async Task<AppUser> CreateAsync(UserInput input, Actor actor, CancellationToken ct = default)
    {
        actor.RequireSupervisor();
        await ValidateAsync(input, ct);
        if (string.IsNullOrEmpty(input.Password))
            throw RectifyException.Invalid("user.password_required", "请设置初始密码。", "Set an initial password.");
        var user = new AppUser
        {
            UserName = input.UserName.Trim(),
            DisplayName = input.DisplayName.Trim(),
            Email = string.IsNullOrWhiteSpace(input.Email) ? null : input.Email.Trim(),
            EmailConfirmed = true,
            Role = input.Role,
            UnitId = input.Role == UserRole.UnitLiaison ? input.UnitId : null,
            LockoutEnabled = true,
        };
        db.AuditAs("user.created");
        Check(await users.CreateAsync(user, input.Password));
        return user;
    }

    /// <summary>Changes name, email, role and unit; the user's sign-in is renewed so old claims stop working.</summary>
    public async Task<AppUser> UpdateAsync(string id, UserInput input, Actor actor, CancellationToken ct = default)
    {
        actor.RequireSupervisor();
        var user = await users.FindByIdAsync(id) ?? throw RectifyException.NotFound("user");
        await ValidateAsync(input with { UserName = user.UserName! }, ct);
        user.DisplayName = input.DisplayName.Trim();
        user.Email = string.IsNullOrWhiteSpace(input.Email) ? null : input.Email.Trim();
        user.Role = input.Role;
        user.UnitId = input.Role == UserRole.UnitLiaison ? input.UnitId : null;
        db.AuditAs("user.edited");
        Check(await users.UpdateSecurityStampAsync(user));
        return user;
    }

    public async Task ResetPasswordAsync(string id, string newPassword, Actor actor, CancellationToken ct = default)
    {
        actor.RequireSupervisor();
        var user = await users.FindByIdAsync(id) ?? throw RectifyException.NotFound("user");
        if (string.IsNullOrEmpty(newPassword))
            throw RectifyException.Invalid("user.password_required", "请设置新密码。", "Set a new password.");
        foreach (var validator in users.PasswordValidators)
            Check(await validator.ValidateAsync(users, user, newPassword));
        db.AuditAs("user.password_reset");
        if (await users.HasPasswordAsync(user))
            Check(await users.RemovePasswordAsync(user));
        Check(await users.AddPasswordAsync(user, newPassword));
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
    }

    /// <summary>Deactivates or reactivates an account; a deactivated user cannot sign in and is signed out.</summary>
    public async Task SetActiveAsync(string id, bool active, Actor actor, CancellationToken ct = default)
    {
        actor.RequireSupervisor();
        if (id == actor.Id && !active)
            throw RectifyException.Invalid("user.deactivate_self", "不能停用自己的账号。", "You cannot deactivate your own account.");
        var user = await users.FindByIdAsync(id) ?? throw RectifyException.NotFound("user");
        user.IsActive = active;
        db.AuditAs(active ? "user.activated" : "user.deactivated");
        Check(await users.UpdateSecurityStampAsync(user));
    }

    private async Task ValidateAsync(UserInput input, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input.UserName) || string.IsNullOrWhiteSpace(input.DisplayName))
            throw RectifyException.Invalid("user.name_required", "请填写用户名和姓名。", "User name and display name are required.");
        if (input.Role == UserRole.UnitLiaison)
        {
            if (input.UnitId is not { } unitId || !await db.Set<Unit>().AnyAsync(u => u.Id == unitId, ct))
                throw RectifyException.Invalid("user.unit_required", "联络人必须绑定一个责任单位。", "A liaison must be bound to a unit.");
        }
    }

    private static void Check(IdentityResult result)
    {
        if (result.Succeeded)
            return;
        var message = string.Join(" ", result.Errors.Select(e => e.Description));
        var code = result.Errors.FirstOrDefault()?.Code switch
        {
            "DuplicateUserName" => "user.name_taken",
            { } c when c.StartsWith("Password", StringComparison.Ordinal) => "user.password_weak",
            _ => "user.invalid",
        };
        throw RectifyException.Invalid(code, $"账号操作失败：{message}", message);
    }
}
