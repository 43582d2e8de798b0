using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Rectify.Users;

namespace Rectify.Web.Auth;

/// <summary>Puts the role, the liaison's unit and the display name into the sign-in cookie.</summary>
public sealed class RectifyClaimsFactory(UserManager<AppUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(ClaimTypes.Role, user.Role.ToString()));
        identity.AddClaim(new Claim(Roles.DisplayNameClaim, user.DisplayName.Length > 0 ? user.DisplayName : user.UserName!));
        if (user is { Role: UserRole.UnitLiaison, UnitId: { } unitId })
            identity.AddClaim(new Claim(Roles.UnitClaim, unitId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return identity;
    }
}

/// <summary>
/// A deactivated account cannot sign in, and its existing cookie stops working at the next stamp check. Sign-in takes
/// the same time whatever is wrong: an unknown name, a locked or deactivated account still costs one password hash
/// check, so the answer's time does not tell which names exist. Signing out renews the security stamp, which ends the
/// user's sessions and Studio tokens on the server too.
/// </summary>
public sealed class RectifySignInManager(
    UserManager<AppUser> users,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<AppUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<AppUser>> logger,
    Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider schemes,
    IUserConfirmation<AppUser> confirmation,
    DummyPasswordHash dummy)
    : SignInManager<AppUser>(users, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(AppUser user) => user.IsActive && await base.CanSignInAsync(user);

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        if (user is null)
        {
            UserManager.PasswordHasher.VerifyHashedPassword(new AppUser(), dummy.Value, password);
            Logger.LogInformation("Sign-in refused: unknown user name.");
            return SignInResult.Failed;
        }
        // The base refuses these before checking the password: check it anyway, for the time.
        if (await IsLockedOut(user) || !await CanSignInAsync(user))
            UserManager.PasswordHasher.VerifyHashedPassword(user, user.PasswordHash ?? dummy.Value, password);
        return await base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    public override async Task SignOutAsync()
    {
        if (Context.User.Identity?.IsAuthenticated == true && await UserManager.GetUserAsync(Context.User) is { } user)
            await UserManager.UpdateSecurityStampAsync(user);
        await base.SignOutAsync();
    }

    public override async Task<AppUser?> ValidateSecurityStampAsync(ClaimsPrincipal? principal)
    {
        var user = await base.ValidateSecurityStampAsync(principal);
        return user is { IsActive: true } ? user : null;
    }
}

/// <summary>A hash of a random password at this app's hashing cost, made once: unknown user names are checked against it.</summary>
public sealed class DummyPasswordHash(IOptions<PasswordHasherOptions> options)
{
    private readonly Lazy<string> _value = new(() => new PasswordHasher<AppUser>(options).HashPassword(new AppUser(), Guid.NewGuid().ToString()));

    public string Value => _value.Value;
}
