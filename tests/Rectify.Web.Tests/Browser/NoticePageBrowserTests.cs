using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// The notice as the public reads it, in Chromium: the web page reflows on a 390 px phone (its tables scroll in their
/// own box, the page never sideways) and prints on A4 with each attachment on a page of its own; the notice page
/// offers the PDF, which LibreOffice makes from the .docx.
/// </summary>
public sealed class NoticePageBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task The_web_notice_reflows_at_390_px_prints_on_A4_and_the_pdf_is_offered()
    {
        var page = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(page, "auditor");
        await page.GotoAsync("/notices");
        await page.Locator("#new-notice input[name=InspectionIds]").First.CheckAsync();
        await page.FillAsync("#new-notice #Number", "X政公办〔2026〕31号");
        await page.ClickAsync("#new-notice button[type=submit]");
        await page.WaitForPageAsync(new Regex(@"/notices/\d+$"));
        var id = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        var pdfLink = page.Locator($"a[href='/api/notices/{id}/notice.pdf']");
        await Assertions.Expect(pdfLink).ToHaveTextAsync("公文版 PDF");
        await BrowserApp.ShotAsync(page, "notice-edit-pdf-button");

        // The PDF the button downloads (LibreOffice is installed here; it is optional, see the README).
        var pdf = await page.Context.APIRequest.GetAsync($"/api/notices/{id}/notice.pdf", new() { Timeout = 300_000 });
        Assert.Equal(200, pdf.Status);
        Assert.Equal("application/pdf", pdf.Headers["content-type"]);
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString((await pdf.BodyAsync())[..5]));

        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync($"/api/notices/{id}/notice.html");
        await Assertions.Expect(page.Locator("h1").First).ToBeVisibleAsync();
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        Assert.True(widths[0] <= widths[1], $"the page is {widths[0]} px wide on a {widths[1]} px screen");
        // The contact table is wider than the phone: it scrolls inside its own box, which stays on the screen.
        var table = await page.EvaluateAsync<double[]>(
            "() => { const t = document.querySelector('table.contacts'); const r = t.getBoundingClientRect(); return [t.scrollWidth, t.clientWidth, r.left, r.right]; }");
        Assert.True(table[0] > table[1], $"the table scrolls in its box ({table[0]} > {table[1]})");
        Assert.True(table[2] >= 0 && table[3] <= 390, $"the table's box stays on the screen ({table[2]}–{table[3]})");
        await BrowserApp.ShotAsync(page, "notice-page-390");

        // Printed: no background or page margins of the screen, the attachment on a new page, and every phone number
        // and e-mail address of the contact table on one line.
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        var print = await page.EvaluateAsync<string[]>(
            "() => [getComputedStyle(document.querySelector('section.attachment')).breakBefore, getComputedStyle(document.querySelector('.notice-document')).paddingLeft, getComputedStyle(document.body).backgroundColor]");
        Assert.Equal(["page", "0px", "rgba(0, 0, 0, 0)"], print);
        var lines = await page.EvaluateAsync<int[]>(
            "() => [...document.querySelectorAll('td.tel, td.email')].map(td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; })");
        Assert.NotEmpty(lines);
        Assert.All(lines, count => Assert.Equal(1, count));
        await page.PdfAsync(new() { Path = Path.Combine(BrowserApp.ScreenshotDirectory, "notice-page-print.pdf"), PreferCSSPageSize = true });

        // Issued, the notice page reads on a liaison's phone without sideways scrolling, the PDF offered there too.
        await page.EmulateMediaAsync(new() { Media = Media.Screen });
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync($"/notices/{id}");
        await page.ClickAsync("#issue");
        await Assertions.Expect(page.Locator(".notice[role=status]")).ToContainTextAsync("通报已印发");
        await page.Context.CloseAsync();
        var liaison = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(liaison, "mtjd");
        await liaison.SetViewportSizeAsync(390, 844);
        await liaison.GotoAsync($"/notices/{id}");
        await Assertions.Expect(liaison.Locator($"a[href='/api/notices/{id}/notice.pdf']")).ToBeVisibleAsync();
        await Assertions.Expect(liaison.Locator(".notice-paper table.contacts")).ToBeAttachedAsync();
        var liaisonWidths = await liaison.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        await BrowserApp.ShotAsync(liaison, "notice-issued-liaison-390");
        Assert.True(liaisonWidths[0] <= liaisonWidths[1], $"the page is {liaisonWidths[0]} px wide on a {liaisonWidths[1]} px screen");
        await liaison.Context.CloseAsync();
    }
}
