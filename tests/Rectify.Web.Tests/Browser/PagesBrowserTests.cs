using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Rectify.Web.Demo;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// The pages in a real headless Chromium against the real app: a liaison submits a report with a file, an
/// auditor accepts it; and every page of every role is opened and photographed (artifacts/screenshots).
/// </summary>
public sealed class PagesBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Liaison_submits_a_report_with_a_file_and_the_auditor_accepts_it()
    {
        var liaison = await app.NewPageAsync();
        await SignInAsync(liaison, "jyj", "01-login");
        await liaison.GotoAsync("/my");
        await BrowserApp.ShotAsync(liaison, "02-liaison-my");
        var first = liaison.Locator("table tbody tr").First;
        await Assertions.Expect(first).ToContainTextAsync("待整改");
        await first.Locator("td a").Nth(1).ClickAsync();
        await liaison.WaitForPageAsync(new Regex(@"/findings/\d+$"));
        var findingUrl = liaison.Url;

        // A wrong file type is refused next to the form, and what was typed stays.
        await liaison.FillAsync("#Measures", "已在“招生计划”栏目公开2026年度招生计划（教基〔2026〕3号）。");
        await liaison.FillAsync("#Links", "https://www.example.gov.cn/jyj/zsjh/2026.html");
        await liaison.CheckAsync("input[name=FullyRectified][value=true]");
        await liaison.SetInputFilesAsync("#files", new FilePayload { Name = "说明.exe", MimeType = "application/octet-stream", Buffer = [0x4D, 0x5A, 0, 0] });
        await liaison.ClickAsync("#submit-report button[type=submit]");
        await Assertions.Expect(liaison.Locator("#files-error")).ToContainTextAsync("不支持的文件类型");
        await Assertions.Expect(liaison.Locator("#Measures")).ToHaveValueAsync(new Regex("招生计划"));
        await BrowserApp.ShotAsync(liaison, "03-liaison-report-refused");

        await liaison.SetInputFilesAsync("#files", new[]
        {
            new FilePayload { Name = "整改截图.png", MimeType = "image/png", Buffer = TinyPng },
            new FilePayload { Name = "整改说明.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4\n%%EOF\n"u8.ToArray() },
        });
        await liaison.ClickAsync("#submit-report button[type=submit]");
        await Assertions.Expect(liaison.Locator(".toolbar .badge").First).ToHaveTextAsync("已提交");
        await Assertions.Expect(liaison.Locator("#reports")).ToContainTextAsync("整改截图.png");
        await Assertions.Expect(liaison.Locator("#reports")).ToContainTextAsync("整改说明.pdf");
        await BrowserApp.ShotAsync(liaison, "04-liaison-report-submitted");

        var auditor = await app.NewPageAsync();
        await SignInAsync(auditor, "auditor");
        await auditor.GotoAsync(findingUrl);
        await Assertions.Expect(auditor.Locator("#review-form")).ToBeVisibleAsync();
        await BrowserApp.ShotAsync(auditor, "05-auditor-review");
        // The evidence downloads through the authorized endpoint, with the bytes that were uploaded.
        await auditor.ClickAsync("#reports summary:has-text('整改截图.png')");
        var download = await auditor.RunAndWaitForDownloadAsync(() => auditor.ClickAsync("#reports details[open] a[download]"));
        Assert.Equal(TinyPng, await File.ReadAllBytesAsync(await download.PathAsync()));

        await auditor.ClickAsync("#review-form button[value=true]");
        await Assertions.Expect(auditor.Locator(".toolbar .badge").First).ToHaveTextAsync("已整改");
        await Assertions.Expect(auditor.Locator("#history")).ToContainTextAsync("审核通过");
        await BrowserApp.ShotAsync(auditor, "06-auditor-accepted");

        await liaison.ReloadAsync();
        await Assertions.Expect(liaison.Locator(".toolbar .badge").First).ToHaveTextAsync("已整改");
        await liaison.Context.CloseAsync();
        await auditor.Context.CloseAsync();
    }

    [Fact]
    public async Task Return_dialog_shows_the_proposed_deadline_and_refuses_an_earlier_one()
    {
        var liaison = await app.NewPageAsync();
        await SignInAsync(liaison, "jyj");
        await liaison.GotoAsync("/my?status=Assigned");
        // The last of the unit's open findings: the other browser test works on the first.
        await liaison.Locator("table tbody tr").Last.Locator("td a").Nth(1).ClickAsync();
        await liaison.WaitForPageAsync(new Regex(@"/findings/\d+$"));
        var findingUrl = liaison.Url;
        await liaison.FillAsync("#Measures", "已更新栏目内容。");
        await liaison.CheckAsync("input[name=FullyRectified][value=true]");
        await liaison.ClickAsync("#submit-report button[type=submit]");
        await Assertions.Expect(liaison.Locator(".toolbar .badge").First).ToHaveTextAsync("已提交");

        var auditor = await app.NewPageAsync();
        await SignInAsync(auditor, "auditor");
        await auditor.GotoAsync(findingUrl);
        await auditor.ClickAsync("#return-dialog summary");
        var proposedText = await auditor.Locator("#proposed-deadline strong").InnerTextAsync();
        var proposed = DateOnly.ParseExact(proposedText, "yyyy-MM-dd");
        await Assertions.Expect(auditor.Locator("#ReturnDeadline")).ToHaveValueAsync(proposedText);
        await Assertions.Expect(auditor.Locator("#proposed-deadline")).ToContainTextAsync("个工作日");
        await BrowserApp.ShotAsync(auditor, "40-auditor-return-dialog");

        // An earlier date is refused beside the dialog, which stays open with what was typed.
        await auditor.FillAsync("#ReturnDeadline", proposed.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await auditor.FillAsync("#ReturnComment", "佐证链接无法打开，请补充。");
        await auditor.ClickAsync("#return-dialog button[type=submit]");
        await Assertions.Expect(auditor.Locator("#return-dialog .error")).ToContainTextAsync($"不能早于 {proposedText}");
        await Assertions.Expect(auditor.Locator("#ReturnComment")).ToHaveValueAsync("佐证链接无法打开，请补充。");
        await BrowserApp.ShotAsync(auditor, "41-auditor-return-dialog-refused");

        var later = proposed.AddDays(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await auditor.FillAsync("#ReturnDeadline", later);
        await auditor.ClickAsync("#return-dialog button[type=submit]");
        await Assertions.Expect(auditor.Locator(".toolbar .badge").First).ToHaveTextAsync("退回");
        await Assertions.Expect(auditor.Locator("main")).ToContainTextAsync(later);
        await BrowserApp.ShotAsync(auditor, "42-auditor-returned");
        // Editing the issued finding: its deadline moves only with a reason.
        await auditor.GotoAsync(findingUrl + "/edit");
        await Assertions.Expect(auditor.Locator("#DeadlineReason")).ToBeVisibleAsync();
        await Assertions.Expect(auditor.Locator("#DeadlineWorkingDays")).ToHaveCountAsync(0);
        await BrowserApp.ShotAsync(auditor, "44-auditor-finding-edit-issued");

        // A draft given in working days shows the date it would get if issued today.
        await auditor.GotoAsync("/findings/new");
        await auditor.FillAsync("#Description", "政策解读栏目未关联原文件。");
        await auditor.FillAsync("#Deadline", "");
        await auditor.FillAsync("#DeadlineWorkingDays", "5");
        await auditor.ClickAsync("main form.card button[type=submit]");
        await auditor.WaitForPageAsync(new Regex(@"/findings/\d+$"));
        await Assertions.Expect(auditor.Locator("main")).ToContainTextAsync("5个工作日（下发时确定；今天下发为 ");
        await BrowserApp.ShotAsync(auditor, "45-auditor-draft-working-days");

        // The liaison sees 退回 in its list at phone width and can report again.
        await liaison.SetViewportSizeAsync(390, 844);
        await liaison.GotoAsync("/my?status=Returned");
        await Assertions.Expect(liaison.Locator("table tbody tr").First).ToContainTextAsync("退回");
        await BrowserApp.ShotAsync(liaison, "43-liaison-returned-390");
        await liaison.GotoAsync(findingUrl);
        await Assertions.Expect(liaison.Locator("#submit-report")).ToBeVisibleAsync();
        await liaison.Context.CloseAsync();
        await auditor.Context.CloseAsync();
    }

    [Fact]
    public async Task Every_page_renders_for_its_role()
    {
        var auditor = await app.NewPageAsync();
        await SignInAsync(auditor, "auditor");
        await VisitAsync(auditor, "/dashboard", "10-auditor-dashboard", "整改工作台");
        await VisitAsync(auditor, "/inspections", "11-auditor-inspections", "检查批次");
        await auditor.FillAsync("#Title", "2026年3月政务公开月度检查");
        await auditor.ClickAsync("#new-inspection button[type=submit]");
        await Assertions.Expect(auditor.Locator("table")).ToContainTextAsync("2026年3月政务公开月度检查");
        await VisitAsync(auditor, "/findings", "12-auditor-findings", "问题台账");
        await VisitAsync(auditor, "/findings?status=Draft", "13-auditor-findings-drafts", "草稿");
        await auditor.Locator("table tbody tr td a").First.ClickAsync();
        await Assertions.Expect(auditor.Locator("#history")).ToContainTextAsync("登记问题");
        await BrowserApp.ShotAsync(auditor, "14-auditor-finding-draft");
        await VisitAsync(auditor, "/findings/new", "15-auditor-finding-new", "登记问题");
        // English: the switch sets the culture and returns to the same page.
        await auditor.GotoAsync("/findings");
        await auditor.ClickAsync("a[lang=en]");
        await Assertions.Expect(auditor.Locator("h1")).ToHaveTextAsync("Findings");
        await BrowserApp.ShotAsync(auditor, "16-auditor-findings-en");
        await auditor.ClickAsync("a[lang=zh-CN]");
        await Assertions.Expect(auditor.Locator("h1")).ToHaveTextAsync("问题台账");
        // A phone-sized screen.
        await auditor.SetViewportSizeAsync(390, 844);
        await VisitAsync(auditor, "/dashboard", "17-auditor-dashboard-phone", "整改工作台");
        await auditor.Context.CloseAsync();

        var supervisor = await app.NewPageAsync();
        await SignInAsync(supervisor, "supervisor");
        await VisitAsync(supervisor, "/dashboard", "20-supervisor-dashboard", "整改工作台");
        await VisitAsync(supervisor, "/units", "21-supervisor-units", "马塘街道");
        await VisitAsync(supervisor, "/units/new", "22-supervisor-unit-new", "责任人");
        await VisitAsync(supervisor, "/users", "23-supervisor-users", "auditor");
        await VisitAsync(supervisor, "/categories", "24-supervisor-categories", "问题分类目录");
        await Assertions.Expect(supervisor.Locator("input[name=name]").Nth(1)).ToHaveValueAsync("政策解读");
        await supervisor.Locator("input[name=name]").Last.FillAsync("依申请公开");
        await supervisor.Locator("button:has-text('添加')").ClickAsync();
        await Assertions.Expect(supervisor.Locator("input[name=name]").Nth(8)).ToHaveValueAsync("依申请公开");
        var forbidden = await supervisor.GotoAsync("/my");
        Assert.Equal(403, forbidden!.Status);
        await supervisor.Context.CloseAsync();

        var liaison = await app.NewPageAsync();
        await SignInAsync(liaison, "kjj");
        await VisitAsync(liaison, "/dashboard", "30-liaison-dashboard", "本单位整改情况");
        await VisitAsync(liaison, "/my", "31-liaison-my", "科技局");
        var designerRequests = new List<string>();
        liaison.Request += (_, request) =>
        {
            if (new Uri(request.Url).AbsolutePath.StartsWith("/designer/", StringComparison.Ordinal))
                designerRequests.Add(request.Url);
        };
        await liaison.Locator("table tbody tr td a").First.ClickAsync();
        await Assertions.Expect(liaison.Locator("#request-extension")).ToBeVisibleAsync();
        await liaison.WaitForNetworkIdleAsync();
        await BrowserApp.ShotAsync(liaison, "32-liaison-finding");
        var findingUrl = liaison.Url;
        // The workflow viewer (the Studio, a WebAssembly app of several MB) is not loaded until asked for.
        Assert.Empty(designerRequests);
        var viewer = liaison.Locator("#workflow-viewer");
        var openViewer = viewer.Locator("button[aria-controls=workflow-viewer-frame]");
        await Assertions.Expect(openViewer).ToHaveAccessibleNameAsync("打开流程图");
        await Assertions.Expect(openViewer).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(viewer.Locator("iframe")).ToHaveCountAsync(0);

        // The workflow card's link scrolls to the viewer and opens it; until the frame has loaded (held back here) it says so.
        var releaseFrame = new TaskCompletionSource();
        await liaison.RouteAsync("**/designer/workflows/instances/*/view", async route =>
        {
            await releaseFrame.Task;
            await route.ContinueAsync();
        });
        await liaison.ClickAsync("#workflow a[href='#workflow-viewer']");
        var frame = viewer.Locator("iframe");
        await Assertions.Expect(frame).ToHaveAttributeAsync("src", new Regex(@"^/designer/workflows/instances/[^/]+/view$"));
        await Assertions.Expect(frame).ToHaveAttributeAsync("title", "流程实例查看器");
        await Assertions.Expect(viewer.GetByRole(AriaRole.Status)).ToHaveTextAsync("正在加载流程图…");
        await Assertions.Expect(frame).ToBeInViewportAsync();
        await Assertions.Expect(openViewer).ToBeHiddenAsync();
        await Assertions.Expect(openViewer).ToHaveAttributeAsync("aria-expanded", "true");
        var newWindow = viewer.GetByRole(AriaRole.Link, new() { Name = "在新窗口打开" });
        await Assertions.Expect(newWindow).ToHaveAttributeAsync("href", (await frame.GetAttributeAsync("src"))!);
        await Assertions.Expect(newWindow).ToHaveAttributeAsync("target", "_blank");
        await BrowserApp.ShotAsync(liaison, "32-liaison-finding-viewer-loading");
        releaseFrame.SetResult();
        // The frame's page loads the Studio's scripts (the code editor alone is several MB): seconds on a busy machine.
        await Assertions.Expect(viewer.GetByRole(AriaRole.Status)).ToBeHiddenAsync(new() { Timeout = 30_000 });
        Assert.Contains(designerRequests, url => url.Contains("/designer/_framework/"));

        // Asking for more time: a date not after the deadline is refused beside the form, and the reason stays.
        const string reason = "需协调财政部门提供预算批复文件。";
        await liaison.FillAsync("#NewDeadline", "2026-03-01");
        await liaison.FillAsync("#Reason", reason);
        await liaison.ClickAsync("#request-extension button[type=submit]");
        await Assertions.Expect(liaison.Locator("#request-extension .error")).ToContainTextAsync("必须晚于当前期限");
        await Assertions.Expect(liaison.Locator("#Reason")).ToHaveValueAsync(reason);
        await BrowserApp.ShotAsync(liaison, "33-liaison-extension-refused");
        await liaison.FillAsync("#NewDeadline", "2026-04-30");
        await liaison.ClickAsync("#request-extension button[type=submit]");
        await Assertions.Expect(liaison.Locator(".notice")).ToContainTextAsync("延期申请已提交");
        await BrowserApp.ShotAsync(liaison, "34-liaison-extension-requested");
        var staffOnly = await liaison.GotoAsync("/findings");
        Assert.Equal(403, staffOnly!.Status);
        await liaison.Context.CloseAsync();

        var deciding = await app.NewPageAsync();
        await SignInAsync(deciding, "auditor");
        await deciding.GotoAsync(findingUrl);
        await deciding.ClickAsync("#extensions button[value=true]");
        await Assertions.Expect(deciding.Locator(".notice")).ToContainTextAsync("已批准延期");
        await Assertions.Expect(deciding.Locator("dl.props")).ToContainTextAsync("2026-04-30");
        await BrowserApp.ShotAsync(deciding, "35-auditor-extension-approved");
        await deciding.Context.CloseAsync();
    }

    [Fact]
    public async Task Without_script_the_finding_page_links_to_the_workflow_viewer_page()
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, Locale = "zh-CN", JavaScriptEnabled = false });
        var liaison = await context.NewPageAsync();
        PageTrace.Attach(liaison);
        await SignInAsync(liaison, "kjj");
        await liaison.GotoAsync("/my");
        await liaison.Locator("table tbody tr td a").First.ClickAsync();
        await liaison.Locator("#workflow-viewer").GetByRole(AriaRole.Link, new() { Name = "打开流程图" }).ClickAsync();
        await liaison.WaitForPageAsync(new Regex(@"/designer/workflows/instances/[^/]+/view$"));
        await Assertions.Expect(liaison.Locator("elsa-workflow-instance-viewer")).ToHaveAttributeAsync("access-token", new Regex("."));
        await context.CloseAsync();
    }

    internal static async Task SignInAsync(IPage page, string userName, string? shot = null)
    {
        await page.GotoAsync("/login");
        await page.FillAsync("#UserName", userName);
        await page.FillAsync("#Password", DemoData.Password);
        if (shot is not null)
            await BrowserApp.ShotAsync(page, shot);
        await page.ClickAsync("form button[type=submit]");
        await page.WaitForPageAsync(new Regex("/todo$"));
    }

    private static async Task VisitAsync(IPage page, string path, string shot, string expected)
    {
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(expected);
        await BrowserApp.ShotAsync(page, shot);
    }

    /// <summary>A 1×1 PNG: the store checks the content, not only the name.</summary>
    private static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
}
