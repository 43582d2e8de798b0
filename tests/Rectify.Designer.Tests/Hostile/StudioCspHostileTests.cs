using Microsoft.Playwright;
using Rectify.Web.Demo;
using Rectify.Web.Tests.Browser;
using Xunit.Abstractions;

namespace Rectify.Designer.Tests.Hostile;

/// <summary>
/// The Content-Security-Policy keeps scripts to our own files, yet the Studio's Blazor WebAssembly, Monaco and the
/// diagram still run under it in Chromium: the designer and the viewer render with no CSP violation reported.
/// </summary>
public sealed class StudioCspHostileTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private const float Boot = 90_000;

    [Fact]
    public async Task The_designer_runs_under_the_content_security_policy()
    {
        var page = await app.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.SetViewportSizeAsync(1600, 1000);
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                violations.Add(message.Text);
            if (message.Type == "error")
                output.WriteLine(message.Text);
        };
        await page.GotoAsync("/login");
        await page.FillAsync("#UserName", "supervisor");
        await page.FillAsync("#Password", DemoData.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForPageAsync(Studio.SignedIn, 30_000);

        var response = await page.GotoAsync($"/designer/workflows/definitions/{Studio.DefaultDefinition}/edit");
        Assert.Contains("'wasm-unsafe-eval'", (await response!.AllHeadersAsync())["content-security-policy"]);
        await page.Locator("g[data-cell-id='mailReminder3']").WaitForAsync(new() { Timeout = Boot });
        await StudioCanvas.DrawnAsync(page, 18, Boot);
        // An activity's properties open in the Studio's panels (MudBlazor, Monaco for expressions).
        await StudioCanvas.SelectAsync(page.Locator("g[data-cell-id='mailReminder1']"), page.Locator(".mud-select-extended:has(legend:text-is('邮件模板'))"));
        await BrowserApp.ShotAsync(page, "hostile-csp-designer");
        Assert.Equal(0, await page.Locator("#blazor-error-ui:visible").CountAsync());
        output.WriteLine(string.Join("\n", violations));
        Assert.Empty(violations);
    }
}
