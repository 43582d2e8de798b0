using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Users;

namespace Rectify.Web.Pages;

[AllowAnonymous]
[RequestSizeLimit(Auth.AuthApi.SignInMaxBytes)]
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
        // The same answer whatever was wrong (unknown name, wrong password, locked or deactivated): no name enumeration.
        Error = Auth.AuthApi.InvalidCredentials().MessageFor(System.Globalization.CultureInfo.CurrentUICulture);
        return Page();
    }

    private string Target => Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/todo";
}
