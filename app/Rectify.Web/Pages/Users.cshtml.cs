using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Findings;
using Rectify.Users;
using Rectify.Web.Auth;
using Rectify.Web.Pages.Shared;
using static Rectify.Web.Localization.Lang;

namespace Rectify.Web.Pages;

/// <summary>Accounts: create with a role (a liaison with its unit), reset a password, deactivate or reactivate.</summary>
[Authorize(Policy = Policies.Supervisor)]
public class UsersModel(UserAdminService admin, FindingChoices choices, ActorContext actor) : PageModel
{
    public IReadOnlyList<UserRow> Rows { get; private set; } = [];
    public List<Lookups.Option> Units { get; private set; } = [];
    [BindProperty] public string UserName { get; set; } = "";
    [BindProperty] public string DisplayName { get; set; } = "";
    [BindProperty] public string Email { get; set; } = "";
    [BindProperty] public UserRole Role { get; set; } = UserRole.UnitLiaison;
    [BindProperty] public int? UnitId { get; set; }
    [BindProperty] public string Password { get; set; } = "";
    /// <summary>The row a reset or deactivation error belongs to, or null for the create form.</summary>
    public string? ErrorUserId { get; private set; }
    public string? Error { get; private set; }
    [TempData] public string? Done { get; set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public Task<IActionResult> OnPostCreateAsync(CancellationToken ct) =>
        ActAsync(null, () => admin.CreateAsync(new UserInput(UserName ?? "", DisplayName ?? "", Email ?? "", Role, UnitId, Password), actor.Actor, ct),
            T($"已创建账号 {UserName}。", $"Account {UserName} created."), ct);

    public Task<IActionResult> OnPostResetAsync(string userId, string newPassword, CancellationToken ct) =>
        ActAsync(userId, () => admin.ResetPasswordAsync(userId, newPassword ?? "", actor.Actor, ct),
            T("密码已重置。", "Password reset."), ct);

    public Task<IActionResult> OnPostActiveAsync(string userId, bool active, CancellationToken ct) =>
        ActAsync(userId, () => admin.SetActiveAsync(userId, active, actor.Actor, ct),
            active ? T("账号已启用。", "Account reactivated.") : T("账号已停用。", "Account deactivated."), ct);

    private async Task<IActionResult> ActAsync(string? userId, Func<Task> action, string done, CancellationToken ct)
    {
        try
        {
            await action();
        }
        catch (RectifyException e) when (e.Kind is RectifyErrorKind.Invalid or RectifyErrorKind.Conflict)
        {
            (ErrorUserId, Error) = (userId, e.Message());
            await LoadAsync(ct);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        Done = done;
        return Redirect("/users");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Rows = await admin.ListAsync(actor.Actor, ct);
        Units = await Lookups.UnitsAsync(choices, actor.Actor, ct);
    }
}
