using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Rectify.Findings;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// The liaison's day on a 390 px phone in Chromium (issue 17, items 2–4): a report refused for one field comes back with
/// everything typed, chosen and uploaded, the message beside the field and in view; it is withdrawn and submitted
/// again; the auditor views the evidence in the page and returns it; the resubmission comes pre-filled; the two sides
/// comment; and the auditor grants an extension at another date than asked, with a reason.
/// </summary>
public sealed class LiaisonPhoneBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Measures = "已在“规划计划”栏目公开2026年度工作计划（住交〔2026〕5号）。";

    [Fact]
    public async Task Liaison_on_a_phone_reports_fixes_without_retyping_withdraws_resubmits_comments_and_gets_another_date()
    {
        var id = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Unit!.Name == "住交局" && f.Status == FindingStatus.Assigned)
            .OrderBy(f => f.Id).Select(f => f.Id).FirstAsync());
        var url = $"/findings/{id}";
        var liaison = await app.NewPageAsync();
        await liaison.SetViewportSizeAsync(390, 844);
        await PagesBrowserTests.SignInAsync(liaison, "zjj");
        await liaison.GotoAsync(url);
        var form = liaison.Locator("#submit-report");
        var fully = form.Locator("input[name=FullyRectified][value=true]");
        // Nothing is pre-ticked: the liaison says whether all is rectified.
        await Assertions.Expect(fully).Not.ToBeCheckedAsync();
        await Assertions.Expect(form.Locator("input[name=FullyRectified][value=false]")).Not.ToBeCheckedAsync();
        await BrowserApp.ShotAsync(liaison, "f01-liaison-report-form-390");

        // A link that is no web address: refused beside the links field, which has the focus and is in view; the text,
        // the choice and the uploaded screenshot are all still there.
        await liaison.FillAsync("#Measures", Measures);
        await fully.CheckAsync();
        await liaison.FillAsync("#Links", "www.example.gov.cn/zjj");
        await liaison.SetInputFilesAsync("#files", new[]
        {
            new FilePayload { Name = "整改截图.png", MimeType = "image/png", Buffer = Screenshot },
            new FilePayload { Name = "整改说明.pdf", MimeType = "application/pdf", Buffer = Explanation },
        });
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(liaison.Locator("#Links-error")).ToContainTextAsync("不是有效的网址");
        await Assertions.Expect(liaison.Locator("#Links")).ToBeFocusedAsync();
        await Assertions.Expect(liaison.Locator("#Links-error")).ToBeInViewportAsync();
        await Assertions.Expect(liaison.Locator("#Links")).ToHaveAttributeAsync("aria-describedby", "Links-error");
        await Assertions.Expect(liaison.Locator("#Measures")).ToHaveValueAsync(Measures);
        await Assertions.Expect(fully).ToBeCheckedAsync();
        var kept = liaison.Locator("#kept-evidence label", new() { HasText = "整改截图.png" });
        await Assertions.Expect(kept.Locator("input")).ToBeCheckedAsync();
        await BrowserApp.ShotAsync(liaison, "f02-liaison-report-refused-390");
        await SectionShotAsync(form, "f02-liaison-report-refused-390-form");

        // Fixed without retyping or choosing the file again.
        await liaison.FillAsync("#Links", "https://www.example.gov.cn/zjj/ghjh/2026.html");
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(liaison.Locator(".toolbar .badge").First).ToHaveTextAsync("已提交");
        await Assertions.Expect(liaison.Locator("#reports")).ToContainTextAsync("整改截图.png");

        // Withdrawn before review: open again, the form pre-filled with the text and the evidence, nothing ticked.
        await liaison.Locator("#withdraw-form button").ClickAsync();
        await Assertions.Expect(liaison.Locator(".notice")).ToContainTextAsync("已撤回整改报告");
        await Assertions.Expect(liaison.Locator(".toolbar .badge").First).ToHaveTextAsync("待整改");
        await Assertions.Expect(liaison.Locator("#reports")).ToContainTextAsync("已撤回");
        await Assertions.Expect(liaison.Locator("#Measures")).ToHaveValueAsync(Measures);
        await Assertions.Expect(kept.Locator("input")).ToBeCheckedAsync();
        await Assertions.Expect(fully).Not.ToBeCheckedAsync();
        await BrowserApp.ShotAsync(liaison, "f03-liaison-withdrawn-390");
        await fully.CheckAsync();
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(liaison.Locator(".toolbar .badge").First).ToHaveTextAsync("已提交");

        // The auditor looks at the screenshot in the page (not a download), then returns the report.
        var auditor = await app.NewPageAsync();
        await auditor.SetViewportSizeAsync(1366, 900);
        await PagesBrowserTests.SignInAsync(auditor, "auditor");
        await auditor.GotoAsync(url);
        var pending = auditor.Locator("#reports .report").Last;
        await pending.Locator("summary", new() { HasText = "整改截图.png" }).ClickAsync();
        var image = pending.Locator("details[open] img");
        await Assertions.Expect(image).ToBeVisibleAsync();
        await Assertions.Expect(image).ToHaveAttributeAsync("src", new Regex(@"^/api/evidence/[0-9a-f-]+/view$"));
        await auditor.WaitForFunctionAsync("img => img.complete && img.naturalWidth === 160", await image.ElementHandleAsync());
        await pending.Locator("summary", new() { HasText = "整改说明.pdf" }).ClickAsync();
        await Assertions.Expect(pending.Locator("details[open] iframe")).ToHaveAttributeAsync("src", new Regex(@"^/api/evidence/[0-9a-f-]+/view$"));
        await BrowserApp.ShotAsync(auditor, "f04-auditor-evidence-inline-1366");
        await SectionShotAsync(auditor.Locator("#reports"), "f04-auditor-evidence-inline-1366-reports");
        await auditor.ClickAsync("#return-dialog summary");
        await auditor.FillAsync("#ReturnComment", "截图未体现文号，请补充。");
        await auditor.ClickAsync("#return-dialog button[type=submit]");
        await Assertions.Expect(auditor.Locator(".toolbar .badge").First).ToHaveTextAsync("退回");

        // The returned report pre-fills the resubmission; the liaison asks for more time, comments, and sends it again.
        await liaison.ReloadAsync();
        await Assertions.Expect(form.Locator("h2")).ToHaveTextAsync("重新提交整改报告");
        await Assertions.Expect(liaison.Locator("#Measures")).ToHaveValueAsync(Measures);
        await Assertions.Expect(liaison.Locator("#Links")).ToHaveValueAsync("https://www.example.gov.cn/zjj/ghjh/2026.html");
        await Assertions.Expect(kept.Locator("input")).ToBeCheckedAsync();
        await Assertions.Expect(fully).Not.ToBeCheckedAsync();
        await BrowserApp.ShotAsync(liaison, "f05-liaison-resubmission-prefilled-390");
        await SectionShotAsync(form, "f05-liaison-resubmission-prefilled-390-form");

        var deadline = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.Deadline).SingleAsync());
        var asked = deadline.AddDays(14);
        await liaison.FillAsync("#NewDeadline", asked.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await liaison.FillAsync("#Reason", "文号需待局务会审定后补录。");
        await liaison.ClickAsync("#request-extension button[type=submit]");
        await Assertions.Expect(liaison.Locator("#extensions")).ToContainTextAsync("待审批");

        await liaison.FillAsync("#CommentText", "请问文号补录在正文还是附件？");
        await liaison.ClickAsync("#comment-form button[type=submit]");
        await Assertions.Expect(liaison.Locator("#comments .comment.from-unit")).ToContainTextAsync("请问文号补录在正文还是附件？");
        await Assertions.Expect(liaison.Locator("#CommentText")).ToHaveValueAsync("");
        await BrowserApp.ShotAsync(liaison, "f06-liaison-comment-390");

        await liaison.FillAsync("#Measures", Measures + "已补充文号。");
        await fully.CheckAsync();
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(liaison.Locator(".toolbar .badge").First).ToHaveTextAsync("已提交");
        var latest = liaison.Locator("#reports .report").Last;
        await Assertions.Expect(latest).ToContainTextAsync("已补充文号");
        await Assertions.Expect(latest).ToContainTextAsync("整改截图.png");

        // The auditor answers and grants a week, not the two asked for; a different date needs a reason.
        await auditor.ReloadAsync();
        await Assertions.Expect(auditor.Locator("#comments")).ToContainTextAsync("请问文号补录在正文还是附件？");
        await auditor.FillAsync("#CommentText", "补录在正文落款处即可。");
        await auditor.ClickAsync("#comment-form button[type=submit]");
        await Assertions.Expect(auditor.Locator("#comments .comment.from-office")).ToContainTextAsync("补录在正文落款处即可。");
        await Assertions.Expect(auditor.Locator("#GrantedDeadline")).ToHaveValueAsync(asked.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var granted = deadline.AddDays(7);
        await auditor.FillAsync("#GrantedDeadline", granted.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await auditor.ClickAsync("#extensions button[name=approve][value=true]");
        await Assertions.Expect(auditor.Locator("#extensions .error")).ToContainTextAsync("请在审批意见中说明理由");
        await Assertions.Expect(auditor.Locator("#GrantedDeadline")).ToHaveValueAsync(granted.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await auditor.FillAsync("#DecisionComment", "补录文号一周足够。");
        await auditor.ClickAsync("#extensions button[name=approve][value=true]");
        await Assertions.Expect(auditor.Locator("#extensions")).ToContainTextAsync("批准至" + granted.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await Assertions.Expect(auditor.Locator("dl.props")).ToContainTextAsync(granted.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await Assertions.Expect(auditor.Locator("#history")).ToContainTextAsync("留言");
        await BrowserApp.ShotAsync(auditor, "f07-auditor-finding-1366");
        await SectionShotAsync(auditor.Locator("#extensions"), "f07-auditor-finding-1366-extensions");
        await auditor.SetViewportSizeAsync(390, 844);
        await BrowserApp.ShotAsync(auditor, "f08-auditor-finding-390");

        await liaison.ReloadAsync();
        await Assertions.Expect(liaison.Locator("#comments .comment.from-office")).ToContainTextAsync("补录在正文落款处即可。");
        await Assertions.Expect(liaison.Locator("dl.props")).ToContainTextAsync(granted.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await BrowserApp.ShotAsync(liaison, "f09-liaison-finding-390");
        await SectionShotAsync(liaison.Locator("#comments"), "f09-liaison-finding-390-comments");
        await liaison.SetViewportSizeAsync(1366, 900);
        await BrowserApp.ShotAsync(liaison, "f10-liaison-finding-1366");
        // No horizontal scrolling on the phone.
        await liaison.SetViewportSizeAsync(390, 844);
        var overflowing = await liaison.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
            """);
        Assert.True(overflowing.Length == 0, string.Join("\n", overflowing));
        await liaison.Context.CloseAsync();
        await auditor.Context.CloseAsync();
    }

    /// <summary>One section alone, legible where the whole page is too long to look at.</summary>
    private static Task SectionShotAsync(ILocator section, string name) =>
        section.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(BrowserApp.ScreenshotDirectory, name + ".png") });

    /// <summary>A one-page PDF that Chromium's viewer renders (inside the sandboxed view).</summary>
    private static readonly byte[] Explanation = Convert.FromBase64String(
        "JVBERi0xLjQKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4KZW5kb2JqCjIgMCBvYmoKPDwgL1R5cGUgL1BhZ2VzIC9LaWRzIFszIDAgUl0gL0NvdW50IDEgPj4KZW5kb2JqCjMgMCBvYmoKPDwgL1R5cGUgL1BhZ2UgL1BhcmVudCAyIDAgUiAvTWVkaWFCb3ggWzAgMCAzMDAgMTIwXSAvQ29udGVudHMgNCAwIFIgL1Jlc291cmNlcyA8PCAvRm9udCA8PCAvRjEgNSAwIFIgPj4gPj4gPj4KZW5kb2JqCjQgMCBvYmoKPDwgL0xlbmd0aCA1MiA+PgpzdHJlYW0KQlQgL0YxIDE4IFRmIDIwIDYwIFRkIChSZWN0aWZpY2F0aW9uIGV2aWRlbmNlKSBUaiBFVAplbmRzdHJlYW0KZW5kb2JqCjUgMCBvYmoKPDwgL1R5cGUgL0ZvbnQgL1N1YnR5cGUgL1R5cGUxIC9CYXNlRm9udCAvSGVsdmV0aWNhID4+CmVuZG9iagp4cmVmCjAgNgowMDAwMDAwMDAwIDY1NTM1IGYgCjAwMDAwMDAwMDkgMDAwMDAgbiAKMDAwMDAwMDA1OCAwMDAwMCBuIAowMDAwMDAwMTE1IDAwMDAwIG4gCjAwMDAwMDAyNDEgMDAwMDAgbiAKMDAwMDAwMDM0MyAwMDAwMCBuIAp0cmFpbGVyCjw8IC9TaXplIDYgL1Jvb3QgMSAwIFIgPj4Kc3RhcnR4cmVmCjQxMwolJUVPRgo=");

    /// <summary>A 160×90 checked PNG, large enough to see in the screenshots.</summary>
    private static readonly byte[] Screenshot = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAKAAAABaCAIAAACwpMoFAAAA+UlEQVR42u3boQ0AIAxFwU6EYD+2hmCZAEQForkE/5J/siHm2unXRk8/3T/dMDRgQwM2NGDAgHUB6wLWBQzY0IANDdjQgHUB6wLWvQMbq3YXMGBDAzY0YMCAdQHrAtYFDNjQgA0N2NCAdQHrAtZ9ABvLwd/QgA0NGDBgXcC6gHUBAzY0YEMDNjRgXcC6gHUB+11oLAd/QwM2NGDAgHUB6wLWBQzY0IANDdjQgHUB6wLWBex3obEc/A0N2NCAdQHrAtYFDNjQgA0N2NCAAQPWBawLWBew34XGcvA3NGBDA9YFrAtYFzBgQwM2NGBDAwYMWBewLmDAhi7dPQHYKcii1lh0AAAAAElFTkSuQmCC");
}
