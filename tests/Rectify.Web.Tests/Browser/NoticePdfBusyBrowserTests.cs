using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rectify.Notices;
using Rectify.Testing;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>The app with one PDF conversion at a time, none waiting, and a stand-in soffice that holds each conversion until released.</summary>
public sealed class PdfBusyApp : BrowserApp
{
    public FakeSoffice Soffice { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Notices:LibreOffice"] = Soffice.Program,
        ["Notices:PdfConversions"] = "1",
        ["Notices:PdfMaxWaiting"] = "0",
    };

    protected override Task AfterStopAsync()
    {
        Soffice.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>A PDF asked for while every conversion is taken: a Chinese page for the notice page's button, a stable code for the API.</summary>
public sealed class NoticePdfBusyBrowserTests(PdfBusyApp app) : IClassFixture<PdfBusyApp>
{
    [Fact]
    public async Task A_pdf_asked_for_while_the_conversions_are_taken_is_refused_in_chinese_on_the_page_and_by_code_in_the_api()
    {
        var page = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(page, "auditor");
        var first = await DraftAsync(page, "X政公办〔2026〕51号");
        var second = await DraftAsync(page, "X政公办〔2026〕52号");

        // The first download takes the one conversion, held by the stand-in soffice.
        var pdf = app.Services.GetRequiredService<NoticePdf>();
        var held = page.Context.APIRequest.GetAsync($"/api/notices/{first}/notice.pdf", new() { Timeout = 0 });
        var giveUp = DateTime.UtcNow.AddMinutes(2);
        while (pdf.Running == 0)
        {
            Assert.True(DateTime.UtcNow < giveUp, "the first conversion never started");
            await Task.Delay(20);
        }

        var api = await page.Context.APIRequest.GetAsync($"/api/notices/{second}/notice.pdf");
        Assert.Equal(503, api.Status);
        Assert.Equal("notice.pdf_busy", (await api.JsonAsync())!.Value.GetProperty("code").GetString());

        // The notice page's button: the browser shows why, in Chinese.
        await page.ClickAsync($"a[href='/api/notices/{second}/notice.pdf']");
        await Assertions.Expect(page.Locator("p.message")).ToContainTextAsync("服务器正在生成其他通报的 PDF（同时最多1份），请稍后再试，或先下载 .docx 版本。");
        await Assertions.Expect(page.Locator("p.code")).ToHaveTextAsync("HTTP 503");
        await BrowserApp.ShotAsync(page, "notice-pdf-busy");

        app.Soffice.Release();
        var done = await held;
        Assert.Equal(200, done.Status);
        Assert.Equal("application/pdf", done.Headers["content-type"]);
        Assert.Equal(1, app.Soffice.MostAtOnce);
    }

    private static async Task<string> DraftAsync(IPage page, string number)
    {
        await page.GotoAsync("/notices");
        await page.Locator("#new-notice input[name=InspectionIds]").First.CheckAsync();
        await page.FillAsync("#new-notice #Number", number);
        await page.ClickAsync("#new-notice button[type=submit]");
        await page.WaitForPageAsync(new Regex(@"/notices/\d+$"));
        return page.Url[(page.Url.LastIndexOf('/') + 1)..];
    }
}
