using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rectify.Web.Demo;
using Rectify.Web.Tests.Browser;

namespace Rectify.Web.Tests.Hostile;

/// <summary>
/// The pages under the Content-Security-Policy in Chromium: no inline script is left to be blocked (their behaviour
/// comes from our script files), and a refused sign-in reads the same whatever was wrong.
/// </summary>
public sealed class PagesHostileBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static List<string> WatchViolations(IPage page)
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                violations.Add(message.Text);
        };
        return violations;
    }

    [Fact]
    public async Task A_refused_sign_in_reads_the_same_for_an_unknown_name_and_a_wrong_password_on_a_phone()
    {
        var page = await app.NewPageAsync();
        await page.SetViewportSizeAsync(390, 844);
        var violations = WatchViolations(page);
        async Task<string> RefusedAsync(string user, string password)
        {
            await page.GotoAsync("/login");
            await page.FillAsync("#UserName", user);
            await page.FillAsync("#Password", password);
            await page.ClickAsync("form button[type=submit]");
            return await page.Locator("[role=alert]").InnerTextAsync();
        }
        var unknown = await RefusedAsync("nobody-here", "wrong-password");
        await BrowserApp.ShotAsync(page, "hostile-login-refused-phone");
        Assert.Equal(unknown, await RefusedAsync("jyj", "wrong-password"));
        Assert.Contains("用户名或密码错误", unknown);
        Assert.Empty(violations);
    }

    [Fact]
    public async Task Pages_that_had_inline_script_work_from_script_files()
    {
        var supervisor = await SignedInAsync("supervisor");
        var violations = WatchViolations(supervisor);
        // The outbox's status filter submits itself when changed (select[data-autosubmit], wwwroot/js/site.js).
        await supervisor.GotoAsync("/mail");
        await supervisor.SelectOptionAsync("select[name=status]", "Pending");
        await supervisor.WaitForPageAsync(new Regex("status=Pending"));
        await BrowserApp.ShotAsync(supervisor, "hostile-mail-filter");

        var auditor = await SignedInAsync("auditor");
        violations.AddRange(WatchViolations(auditor));
        await auditor.GotoAsync("/notices/import");
        await BrowserApp.ShotAsync(auditor, "hostile-import");
        Assert.Empty(violations);
    }

    private async Task<IPage> SignedInAsync(string user)
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#UserName", user);
        await page.FillAsync("#Password", DemoData.Password);
        await page.ClickAsync("form button[type=submit]");
        await page.WaitForPageAsync(new Regex("/todo$"));
        return page;
    }
}
