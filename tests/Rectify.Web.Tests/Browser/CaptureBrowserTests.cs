using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rectify.Auditing;
using Rectify.Captures;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Notices;
using Rectify.Testing;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>The app with a unit's website on loopback (allowed for this test only) and Debian's Chromium for screenshots.</summary>
public sealed class CaptureBrowserApp : BrowserApp
{
    public LocalWebSite Site { get; private set; } = null!;

    protected override async Task BeforeStartAsync() => Site = await LocalWebSite.StartAsync();

    protected override async Task AfterStopAsync() => await Site.DisposeAsync();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Evidence:Capture:AllowLoopback"] = "true",
        ["Evidence:Capture:BrowserPath"] = "/usr/bin/chromium",
    };
}

/// <summary>
/// In Chromium: a liaison cites the corrected page, the server captures it in the background, and the auditor reviewing
/// the report sees the stored copy (text, sandboxed HTML, screenshot) beside the live link; when the page later changes,
/// the next notice's draft lists it as 整改反弹 and the auditor adds it to the follow-up.
/// </summary>
public sealed class CaptureBrowserTests(CaptureBrowserApp app) : IClassFixture<CaptureBrowserApp>
{
    private const string PageText = "2026年义务教育招生计划：城区小学招生计划已于3月1日公开，共招收新生1200人。";

    [Fact]
    public async Task The_auditor_sees_the_captured_copy_beside_the_live_link_and_a_later_change_is_a_rebound_candidate()
    {
        var logo = app.Site.File("/images/logo.png", "image/png", Logo);
        var link = app.Site.Page("/jyj/zsjh.html",
            "<html><head><meta charset=\"utf-8\"><title>招生计划</title><style>body{font-family:sans-serif;margin:24px} h1{color:#b00}</style></head>"
            + $"<body><img src=\"{logo}\" width=\"96\" height=\"96\" alt=\"徽标\"><h1>招生计划</h1><p>{PageText}</p></body></html>");

        var liaison = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(liaison, "jyj");
        await liaison.GotoAsync("/my?status=Assigned");
        await liaison.Locator("table tbody tr").First.Locator("td a").Nth(1).ClickAsync();
        await liaison.WaitForPageAsync(new Regex(@"/findings/\d+$"));
        var findingUrl = liaison.Url;
        var findingId = int.Parse(findingUrl[(findingUrl.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        await liaison.FillAsync("#Measures", "已在门户网站公开本年度招生计划。");
        await liaison.FillAsync("#Links", link);
        await liaison.CheckAsync("input[name=FullyRectified][value=true]");
        await liaison.ClickAsync("#submit-report button[type=submit]");
        await Assertions.Expect(liaison.Locator(".toolbar .badge").First).ToHaveTextAsync("已提交");

        // Fetched in the background: wait for the worker of this process to have handled what the submission queued.
        await app.Services.GetRequiredService<LinkCaptureWorker>().RunPendingAsync();

        var auditor = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(auditor, "auditor");
        await auditor.GotoAsync(findingUrl);
        var pair = auditor.Locator(".capture-pair").First;
        await Assertions.Expect(pair.Locator(".live a")).ToHaveAttributeAsync("href", link);
        await Assertions.Expect(pair.Locator(".captured .badge").First).ToHaveTextAsync("已存档");
        await Assertions.Expect(pair.Locator(".capture-text")).ToContainTextAsync(PageText);
        await Assertions.Expect(pair.Locator(".capture-sha")).ToHaveTextAsync(new Regex("^[0-9a-f]{64}$"));
        var screenshot = pair.Locator(".capture-shot img");
        await screenshot.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(screenshot).ToBeVisibleAsync();
        await auditor.WaitForFunctionAsync("img => img.complete && img.naturalWidth >= 1280", await screenshot.ElementHandleAsync());
        await Assertions.Expect(auditor.Locator("#review-form")).ToBeVisibleAsync();
        await Assertions.Expect(auditor.Locator("#history")).ToContainTextAsync("整改链接已存档");
        await BrowserApp.ShotAsync(auditor, "60-auditor-review-captured-copy");

        // The stored HTML opens sandboxed, and only for those who may see the finding.
        var body = await auditor.APIRequest.GetAsync(await pair.GetByText("查看存档网页").GetAttributeAsync("href") ?? "");
        Assert.Equal(200, body.Status);
        Assert.StartsWith("sandbox", body.Headers["content-security-policy"]);
        Assert.Contains(PageText, await body.TextAsync());
        var stranger = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(stranger, "kjj");
        Assert.Equal(404, (await stranger.APIRequest.GetAsync(await pair.GetByText("查看存档网页").GetAttributeAsync("href") ?? "")).Status);
        await stranger.Context.CloseAsync();

        // The liaison sees the same copy on a phone.
        await liaison.SetViewportSizeAsync(390, 844);
        await liaison.ReloadAsync();
        await Assertions.Expect(liaison.Locator(".capture-pair .capture-text").First).ToContainTextAsync(PageText);
        await BrowserApp.ShotAsync(liaison, "61-liaison-captured-copy-390");

        await auditor.ClickAsync("#review-form button[name=accept]");
        await Assertions.Expect(auditor.Locator(".toolbar .badge").First).ToHaveTextAsync("已整改");

        // A week later the page is rewritten; drafting the next notice re-checks the link.
        app.Clock.Advance(TimeSpan.FromDays(7));
        app.Site.Page("/jyj/zsjh.html", "<html><body><p>网站改版中，相关栏目内容正在迁移，请稍后访问。</p></body></html>");
        var noticeId = await DraftNoticeAsync();
        await app.Services.GetRequiredService<LinkCaptureWorker>().RunPendingAsync();

        // The test's clock also ages the sign-in cookie.
        await PagesBrowserTests.SignInAsync(auditor, "auditor");
        await auditor.GotoAsync($"/notices/{noticeId}");
        var row = auditor.Locator($"#rebounds tr.rebound[data-finding='{findingId}']");
        await Assertions.Expect(row).ToContainTextAsync("内容已变化");
        await BrowserApp.ShotAsync(auditor, "62-auditor-notice-rebound-candidates");
        await row.GetByRole(AriaRole.Button, new() { Name = "列入回头看" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("已列入回头看");
        await Assertions.Expect(auditor.Locator(".notice-paper")).ToContainTextAsync(NoticeComposer.ReboundNote);
        await BrowserApp.ShotAsync(auditor, "63-auditor-notice-rebound-added");

        await auditor.GotoAsync(findingUrl);
        await Assertions.Expect(auditor.Locator("#history")).ToContainTextAsync("复查整改链接：页面失效或内容变化");
        await Assertions.Expect(auditor.Locator(".capture-recheck").First).ToContainTextAsync("内容已变化");
        await liaison.Context.CloseAsync();
        await auditor.Context.CloseAsync();
    }

    /// <summary>A draft notice over a new inspection (drafting needs findings not yet published), as the auditor's API would make it.</summary>
    private async Task<int> DraftNoticeAsync()
    {
        var inspectionId = await app.WithDbAsync(async db =>
        {
            var unit = await db.Set<Rectify.Units.Unit>().OrderBy(u => u.Id).FirstAsync();
            var category = await db.Set<Rectify.Categories.Category>().OrderBy(c => c.Id).FirstAsync();
            var inspection = new Inspection { Title = "2026年3月回头看检查", Kind = InspectionKind.ThirdPartyCheck, PeriodStart = new(2026, 3, 1), PeriodEnd = new(2026, 3, 31), CreatedAt = db.Time.GetUtcNow() };
            db.AddRange(inspection, new Finding
            {
                Inspection = inspection, UnitId = unit.Id, CategoryId = category.Id, Description = "回头看：栏目空白",
                Requirement = "及时更新", Deadline = new(2026, 4, 30), CreatedAt = db.Time.GetUtcNow(),
            });
            await db.SaveChangesAsync();
            return inspection.Id;
        });
        await using var scope = app.Services.CreateAsyncScope();
        var auditor = await app.WithDbAsync(db => db.Users.Where(u => u.UserName == "auditor").Select(u => new Actor(u.Id, u.DisplayName, u.Role, u.UnitId)).SingleAsync());
        scope.ServiceProvider.GetRequiredService<ActorContext>().Actor = auditor;
        var notices = scope.ServiceProvider.GetRequiredService<NoticeService>();
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().AddHours(8).DateTime);
        var draft = notices.NewDraft([inspectionId], new(2026, 3, 1), new(2026, 3, 31), "区政务公开办") with { Number = "X政公办〔2026〕9号", Date = today };
        return (await notices.CreateDraftAsync(draft, auditor)).Id;
    }

    /// <summary>A 1×1 PNG the captured page shows (at 96×96), fetched for the screenshot through the guard.</summary>
    private static readonly byte[] Logo = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
}
