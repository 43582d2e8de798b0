using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Users;
using static Rectify.Web.Localization.Lang;

namespace Rectify.Web.Pages;

[AllowAnonymous]
public class LoginModel(SignInManager<AppUser> signIn) : PageModel
{
    [BindProperty] public string UserName { get; set; } = "";
    [BindProperty] public string Password { get; set; } = "";
    [BindProperty] public bool RememberMe { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? LocalRedirect(Target) : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await signIn.PasswordSignInAsync((UserName ?? "").Trim(), Password ?? "", RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
            return LocalRedirect(Target);
        Error = result.IsLockedOut
            ? T("登录失败次数过多，账号已暂时锁定，请稍后再试。", "Too many failed attempts: the account is locked for a while. Try again later.")
            : result.IsNotAllowed
                ? T("该账号已停用，请联系管理员。", "This account is deactivated; ask a supervisor.")
                : T("用户名或密码错误。", "Wrong user name or password.");
        return Page();
    }

    private string Target => Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/dashboard";
}
