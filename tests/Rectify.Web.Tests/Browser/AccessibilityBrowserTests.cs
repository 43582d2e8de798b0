using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Rectify.Findings;
using Rectify.Workflows;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// Every page of every role through axe-core in Chromium, at a desk (1366 px) and a phone (390 px) width: no serious
/// or critical violation; each page is photographed at both widths (artifacts/screenshots/a11y-*). And the keyboard:
/// a skip link first, a visible focus, and the content reached from it.
/// </summary>
public sealed class AccessibilityBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    /// <summary>
    /// The pages each role opens. A new page gets a line here. Placeholders are filled from the demo data:
    /// {issued} a finding of 教育局 (jyj) issued to it, {draft} a draft finding, {unit} a unit, {notice} a draft notice,
    /// {instance} the workflow instance of {issued}.
    /// </summary>
    private static readonly (string? User, string Path)[] Pages =
    [
        (null, "/login"),
        ("auditor", "/todo"),
        ("auditor", "/dashboard"),
        ("auditor", "/inspections"),
        ("auditor", "/findings"),
        ("auditor", "/findings?status=Submitted"),
        ("auditor", "/findings/new"),
        ("auditor", "/findings/{issued}"),
        ("auditor", "/findings/{issued}/edit"),
        ("auditor", "/findings/{draft}"),
        ("auditor", "/notices"),
        ("auditor", "/notices/{notice}"),
        ("auditor", "/notices/import"),
        ("auditor", "/mail"),
        ("supervisor", "/todo"),
        ("supervisor", "/dashboard"),
        ("supervisor", "/findings"),
        ("supervisor", "/units"),
        ("supervisor", "/units/new"),
        ("supervisor", "/units/{unit}/edit"),
        ("supervisor", "/users"),
        ("supervisor", "/categories"),
        ("supervisor", "/templates"),
        ("supervisor", "/workflows"),
        ("supervisor", "/designer/workflows/definitions/rectification/edit"),
        ("supervisor", "/designer/workflows/instances/{instance}/view"),
        ("supervisor", "/mail"),
        ("supervisor", "/audit"),
        ("supervisor", "/status"),
        ("jyj", "/todo"),
        ("jyj", "/dashboard"),
        ("jyj", "/my"),
        ("jyj", "/findings/{issued}"),
        ("jyj", "/mail"),
    ];

    /// <summary>
    /// Elsa Studio's own components (the designer, the instance viewer) are Elsa's markup, not ours: axe checks the
    /// Rectify frame around them (bar, headings, landmarks) and leaves their inside out.
    /// </summary>
    private static readonly string[] NotOurs = ["elsa-workflow-definition-editor", "elsa-workflow-instance-viewer"];

    /// <summary>
    /// Frames are left out: the only ones are the Studio's viewer (Elsa's) and the template preview, whose content is a
    /// mail (sandboxed without script, where axe cannot run; mails are checked in Chromium by the mail tests). The
    /// frame elements themselves (their titles) are checked.
    /// </summary>
    private static readonly AxeRunOptions Options = new() { Iframes = false, ResultTypes = [ResultType.Violations] };

    private static readonly (int Width, int Height)[] Widths = [(1366, 900), (390, 844)];

    [Fact]
    public async Task Every_page_of_every_role_passes_axe_at_desk_and_phone_width()
    {
        var values = await PlaceholdersAsync();
        var failures = new List<string>();
        foreach (var group in Pages.GroupBy(p => p.User))
        {
            var page = await app.NewPageAsync();
            // The Studio's WebAssembly is not started: its content is left out (NotOurs), and booting it costs tens
            // of seconds of CPU per visit; the Rectify page around it is what is checked.
            await page.RouteAsync("**/designer/_framework/**", route => route.AbortAsync());
            if (group.Key is { } user)
                await PagesBrowserTests.SignInAsync(page, user);
            foreach (var (_, template) in group)
            {
                var path = Regex.Replace(template, @"\{(\w+)\}", m => values[m.Groups[1].Value]);
                foreach (var (width, height) in Widths)
                {
                    await page.SetViewportSizeAsync(width, height);
                    var response = await page.GotoAsync(path);
                    Assert.True(response!.Ok, $"{group.Key ?? "anonymous"} {path}: HTTP {response.Status}");
                    await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
                    var slug = Regex.Replace(template, @"[^\w]+", "-").Trim('-');
                    await BrowserApp.ShotAsync(page, $"a11y-{group.Key ?? "anonymous"}-{slug}-{width}");
                    var context = new AxeRunContext { Exclude = [.. NotOurs.Select(s => new AxeSelector(s))] };
                    var result = await page.RunAxe(context, Options);
                    failures.AddRange(result.Violations
                        .Where(v => v.Impact is "serious" or "critical")
                        .Select(v => $"{group.Key ?? "anonymous"} {path} @{width}px: {v.Id} ({v.Impact}) {v.Help} — "
                                     + string.Join(" | ", v.Nodes.Take(5).Select(n => $"{n.Target} {n.Html} {string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))}"))));
                }
            }
            await page.Context.CloseAsync();
        }
        Assert.True(failures.Count == 0, $"{failures.Count} serious or critical violations:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task The_keyboard_skips_to_the_content_with_a_visible_focus()
    {
        var page = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(page, "auditor");
        await page.GotoAsync("/findings");
        await page.Keyboard.PressAsync("Tab");
        var skip = page.Locator(".skip-link");
        await Assertions.Expect(skip).ToBeFocusedAsync();
        await Assertions.Expect(skip).ToBeInViewportAsync();
        await Assertions.Expect(skip).ToHaveTextAsync("跳到正文");
        Assert.NotEqual("none", await skip.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle"));
        await BrowserApp.ShotAsync(page, "a11y-keyboard-skip-link");

        // From the skip link the next Tab lands in the content (the ledger's first filter), past the navigation.
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("main")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        var focused = page.Locator("main :focus");
        Assert.True(await focused.CountAsync() == 1, await page.EvaluateAsync<string>("() => document.activeElement.outerHTML.slice(0, 200)"));
        Assert.NotEqual("none", await focused.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle"));
        await BrowserApp.ShotAsync(page, "a11y-keyboard-focus-in-content");
        await page.Context.CloseAsync();
    }

    /// <summary>Ids for the placeholders of <see cref="Pages"/>, with a submitted report and a draft notice so that those sections render too.</summary>
    private async Task<Dictionary<string, string>> PlaceholdersAsync()
    {
        var jyj = await app.UnitIdAsync("教育局");
        var issued = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.UnitId == jyj && f.Status != FindingStatus.Draft).OrderBy(f => f.Id).Select(f => f.Id).FirstAsync());
        var draft = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Status == FindingStatus.Draft).OrderBy(f => f.Id).Select(f => f.Id).FirstAsync());
        var instance = await app.WithDbAsync(db => db.Set<WorkflowInstance>().Where(i => i.FindingId == issued).Select(i => i.Id).SingleAsync());
        var inspection = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == issued).Select(f => f.InspectionId).SingleAsync());

        // A report awaiting review, so the review form and the auditor's to-do have rows.
        await TodoBrowserTests.SubmitReportAsync(app, "jyj", issued, "已在招生计划栏目公开本年度招生计划。");

        var auditor = await app.ClientAsync("auditor");
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var created = await auditor.PostAsJsonAsync("/api/notices", new
        {
            title = "关于2026年3月政务公开工作检查情况的通报", number = "X政公办〔2026〕41号", office = "区政务公开办", addressees = "区政府各部门",
            date = today, periodStart = new DateOnly(2026, 2, 1), periodEnd = new DateOnly(2026, 2, 28), inspectionIds = new[] { inspection },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var notice = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        return new()
        {
            ["issued"] = issued.ToString(CultureInfo.InvariantCulture),
            ["draft"] = draft.ToString(CultureInfo.InvariantCulture),
            ["unit"] = jyj.ToString(CultureInfo.InvariantCulture),
            ["instance"] = instance,
            ["notice"] = notice.ToString(CultureInfo.InvariantCulture),
        };
    }
}
