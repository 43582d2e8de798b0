using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rectify.Mail;
using Rectify.Time;
using Rectify.Web.Demo;
using Rectify.Web.Tests;
using Rectify.Web.Tests.Browser;
using Xunit.Abstractions;
using static Rectify.Designer.Tests.Studio;

namespace Rectify.Designer.Tests;

/// <summary>
/// The real Elsa Studio (npm package, Blazor WebAssembly) in headless Debian Chromium against the app: the viewer on a
/// finding page, and a supervisor's edit published and run. The Studio boots in seconds on 2 cores: waits are generous
/// and on concrete elements. Screenshots: artifacts/screenshots/designer-*.png.
/// </summary>
public sealed class StudioBrowserTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    private const float Boot = 90_000;

    [Fact]
    public async Task An_auditor_sees_the_reminded_and_escalated_steps_badged_and_journaled()
    {
        var auditor = await KestrelClientAsync("auditor");
        var today = app.Services.GetRequiredService<OfficeClock>().Today;
        var findingId = await IssueFindingAsync(app, auditor, today.AddDays(7), "查看器：催办并逾期督办的问题");
        var instance = await InstanceOfAsync(app, findingId);
        // Past both reminders and the deadline: reminded twice, then escalated; the wait for the report goes on.
        await AdvanceAsync(app, app.Services.GetRequiredService<OfficeClock>().EndOf(today.AddDays(7)) + TimeSpan.FromHours(2));
        Assert.True(await app.WithDbAsync(db => db.Set<Findings.Finding>().AnyAsync(f => f.Id == findingId && f.IsOverdue && f.QueuedForFollowUp)));

        var page = await SignedInPageAsync("auditor");
        var frameworkRequests = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/designer/_framework/"))
                frameworkRequests++;
        };
        await page.GotoAsync($"/findings/{findingId}");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.Equal(0, frameworkRequests);
        // The viewer is framed when its button is clicked (Pages/Workflows/_WorkflowViewer.cshtml); the button gives way to a link to the viewer's own page.
        await page.GetByRole(AriaRole.Button, new() { Name = "打开流程图" }).ClickAsync();
        var newWindow = page.Locator("#workflow-viewer").GetByRole(AriaRole.Link, new() { Name = "在新窗口打开" });
        await Assertions.Expect(newWindow).ToBeFocusedAsync();
        var frame = page.FrameLocator("#workflow-viewer iframe");

        // Badges from the execution report: the reminders and the escalation done (green), the report wait blocked (orange).
        foreach (var (cell, theme) in new[] { ("escalate", "success"), ("mailReminder3", "success"), ("mailReminder1", "success"), ("assign", "success"), ("waitReport", "warning") })
            await frame.Locator($"g[data-cell-id='{cell}'] .mud-badge.mud-theme-{theme}").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = Boot });
        Assert.Equal(0, await frame.Locator("g[data-cell-id='review'] .mud-badge").CountAsync());
        await BrowserApp.ShotAsync(page, "designer-viewer-finding");

        // The journal lists each step's events with their times.
        foreach (var entry in new[] { "交办单位 - Completed", "等到期限前后 - Resumed", "逾期督办 - Completed", "等待整改报告 - Suspended" })
            Assert.True(await frame.GetByText(entry).CountAsync() > 0, entry);

        // Clicking a step shows it, with its executions: the evaluated inputs and the outcome.
        await frame.Locator("g[data-cell-id='mailReminder1'] foreignObject").ClickAsync(new() { Force = true });
        await frame.GetByText("Rectify.SendEmail").First.WaitForAsync();
        await frame.GetByText("Executions", new() { Exact = false }).First.ClickAsync();
        await page.WaitForTimeoutAsync(1500);
        await BrowserApp.ShotAsync(page, "designer-viewer-step");
        Assert.Equal(0, await frame.Locator("#blazor-error-ui:visible").CountAsync());
        Assert.True(frameworkRequests > 0);

        // The viewer's own page, opened in a new window (and the link without script), shows the same instance.
        var own = await page.RunAndWaitForPopupAsync(() => newWindow.ClickAsync());
        Assert.EndsWith($"/designer/workflows/instances/{instance.Id}/view", own.Url);
        await own.Locator("g[data-cell-id='escalate'] .mud-badge.mud-theme-success").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = Boot });
        await BrowserApp.ShotAsync(own, "designer-viewer-own-page");
        Assert.Equal(0, await own.Locator("#blazor-error-ui:visible").CountAsync());
    }

    [Fact]
    public async Task A_supervisor_adds_a_reminder_in_the_Studio_and_a_new_finding_gets_it()
    {
        var page = await SignedInPageAsync("supervisor", 2400, 1300);
        var calls = new List<string>();
        page.Response += (_, r) =>
        {
            if (r.Url.Contains("/elsa/api/") && r.Status >= 400 || r.Url.Contains("/designer/") && r.Status >= 400 && !r.Url.Contains("appsettings"))
                calls.Add($"{r.Status} {r.Request.Method} {r.Url}");
        };
        var published = new TaskCompletionSource<JsonNode>();
        page.Response += async (_, r) =>
        {
            if (r.Request.Method == "POST" && r.Url.EndsWith("/elsa/api/workflow-definitions") && r.Request.PostData?.Contains("\"publish\":true") == true)
                published.TrySetResult(JsonNode.Parse(await r.TextAsync())!);
        };

        // Cold load: the Studio boots from /designer/ and draws the published default flow.
        var clock = Stopwatch.StartNew();
        await page.GotoAsync($"/workflows/definitions/{DefaultDefinition}/edit");
        await page.Locator("g[data-cell-id='mailReminder3']").WaitForAsync(new() { Timeout = Boot });
        var drawn = clock.ElapsedMilliseconds;
        var timing = await page.EvaluateAsync<double[]>(@"() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const api = performance.getEntriesByType('resource').find(e => e.name.includes('/elsa/api/'));
            return [nav.loadEventEnd, api ? api.startTime : -1];
        }");
        output.WriteLine($"Editor cold load: load event {timing[0]:F0} ms, first API call {timing[1]:F0} ms, flowchart drawn {drawn} ms (from navigation)");
        Assert.True(await page.Locator("g.x6-node[data-cell-id]").CountAsync() >= 18);
        Assert.Equal(0, await page.Locator("#blazor-error-ui:visible").CountAsync());
        await BrowserApp.ShotAsync(page, "designer-editor-loaded");

        // Drag a second "wait until" reminder from the toolbox onto an empty part of the canvas.
        var before = await page.Locator("g.x6-node[data-cell-id]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-cell-id'))");
        await page.GetByText("整改", new() { Exact = true }).First.ClickAsync();
        var canvas = page.Locator(".x6-graph").First;
        await page.GetByText("等到期限前后", new() { Exact = true }).First.DragToAsync(canvas, new() { TargetPosition = new() { X = 1050, Y = 40 } });
        var added = await WaitForAsync(async () => (await page.Locator("g.x6-node[data-cell-id]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-cell-id'))")).Except(before).SingleOrDefault());

        // Give it a reminder mail of its own, a copy of the existing one moved to free canvas: feeding the existing mail
        // step would make that step a join of two reminders, which Elsa runs once, when both have come.
        var box = (await canvas.BoundingBoxAsync())!;
        async Task DeselectAsync() { await page.Mouse.ClickAsync(box.X + box.Width - 15, box.Y + 200); await page.WaitForTimeoutAsync(400); }
        await DeselectAsync();
        var beforeCopy = await page.Locator("g.x6-node[data-cell-id]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-cell-id'))");
        await page.Locator("g[data-cell-id='mailReminder1'] foreignObject").ClickAsync();
        await page.Keyboard.PressAsync("Control+C");
        await page.Keyboard.PressAsync("Control+V");
        var mail = await WaitForAsync(async () => (await page.Locator("g.x6-node[data-cell-id]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-cell-id'))")).Except(beforeCopy).SingleOrDefault());
        await DeselectAsync();
        await page.Locator($"g[data-cell-id='{mail}'] foreignObject").DragToAsync(canvas, new() { TargetPosition = new() { X = 1300, Y = 170 }, Force = true });

        // Connect it after the first reminder mail, and into its mail; clicking empty canvas first drops the selection box.
        var edges = await page.Locator("g.x6-edge").CountAsync();
        await DeselectAsync();
        await ConnectAsync(page, "mailReminder3", "Done", added);
        await DeselectAsync();
        await ConnectAsync(page, added, "Done", mail);
        await BrowserApp.ShotAsync(page, "designer-editor-connected");
        Assert.Equal(edges + 2, await page.Locator("g.x6-edge").CountAsync());

        // Set its offset: two working days before the deadline.
        await DeselectAsync();
        await page.Locator($"g[data-cell-id='{added}'] foreignObject").ClickAsync();
        var offset = page.Locator(".mud-input-control:has-text('相对期限的工作日') input");
        await offset.FillAsync("-2");
        await offset.PressAsync("Tab");
        await page.WaitForTimeoutAsync(1500);
        await BrowserApp.ShotAsync(page, "designer-editor-edited");

        // Publish (the cloud button); the Studio posts {model, publish:true}.
        await page.Locator("button:has(path[d^='M19.35 10.04']) >> visible=true").First.ClickAsync();
        var saved = await published.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var version = (int)saved["workflowDefinition"]!["version"]!;
        Assert.True((bool)saved["workflowDefinition"]!["isPublished"]!);
        await page.WaitForTimeoutAsync(1500);
        await BrowserApp.ShotAsync(page, "designer-editor-published");
        Assert.Empty(calls);
        Assert.Equal(0, await page.Locator("#blazor-error-ui:visible").CountAsync());

        // What was published is what runs: a finding issued now follows the new version and gets the extra reminder
        // at 09:00 two working days before its deadline.
        var stored = await app.WithDbAsync(db => db.Set<Workflows.WorkflowDefinitionVersion>().SingleAsync(v => v.DefinitionId == DefaultDefinition && v.IsPublished));
        Assert.Equal(version, stored.Version);
        var node = JsonNode.Parse(stored.Json)!["root"]!["activities"]!.AsArray().Single(a => (string?)a!["id"] == added)!;
        Assert.Equal(("Rectify.WaitUntil", "-2"), ((string?)node["type"], (string?)node["offset"]!["expression"]!["value"]));

        var auditor = await KestrelClientAsync("auditor");
        var office = app.Services.GetRequiredService<OfficeClock>();
        var deadline = office.Today.AddDays(28);
        var findingId = await IssueFindingAsync(app, auditor, deadline, "设计器发布后新建的问题");
        Assert.Equal(version, (await InstanceOfAsync(app, findingId)).DefinitionVersion);
        var calendar = app.Services.GetRequiredService<WorkingDayCalendar>();
        var third = calendar.Add(deadline, new WorkingDays(-3));
        var second = office.StartOf(calendar.Add(deadline, new WorkingDays(-2))) + TimeSpan.FromHours(9);
        await AdvanceAsync(app, second - TimeSpan.FromMinutes(1));
        var reminders = await RemindersAsync(findingId);
        Assert.True(reminders is [var first] && first >= office.StartOf(third) + TimeSpan.FromHours(9), string.Join(", ", reminders));
        await AdvanceAsync(app, second);
        var all = await RemindersAsync(findingId);
        Assert.Equal(2, all.Count);
        Assert.Contains(second, all);
    }

    /// <summary>A signed-in API client of the Kestrel-served app (the factory's in-memory client does not reach it).</summary>
    private async Task<HttpClient> KestrelClientAsync(string user)
    {
        var client = new HttpClient(new AntiforgeryHandler(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false })) { BaseAddress = new Uri(app.BaseUrl) };
        var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(client, "/api/auth/login", new { userName = user, password = DemoData.Password });
        Assert.True(response.IsSuccessStatusCode, $"sign-in of {user}: {(int)response.StatusCode}");
        return client;
    }

    private Task<List<DateTimeOffset>> RemindersAsync(int findingId) => app.WithDbAsync(db =>
        db.Set<OutboxMessage>().Where(m => m.FindingId == findingId && m.Template == "reminder" && m.RecipientKind == RecipientKind.Liaison)
            .Select(m => m.CreatedAt).ToListAsync());

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        for (var i = 0; i < 50; i++)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(200);
        }
        throw new TimeoutException("The dropped activity did not appear.");
    }

    private async Task<IPage> SignedInPageAsync(string user, int width = 1600, int height = 1000)
    {
        var page = await app.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.SetViewportSizeAsync(width, height);
        await page.GotoAsync("/login");
        await page.FillAsync("#UserName", user);
        await page.FillAsync("#Password", DemoData.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login"));
        return page;
    }

    /// <summary>Drags from an output port to a node's input port with the mouse, as a person does.</summary>
    private static async Task ConnectAsync(IPage page, string from, string port, string to, bool inPortTaken = false)
    {
        var a = (await page.Locator($"g[data-cell-id='{from}'] [port='{port}']").BoundingBoxAsync())!;
        var b = (await page.Locator($"g[data-cell-id='{to}'] [port='In']").BoundingBoxAsync())!;
        // An input port that already receives a connection is covered by that edge's line: aim above it, still on the port.
        var bx = b.X + b.Width / 2;
        var by = b.Y + b.Height / 2 - (inPortTaken ? 8 : 0);
        await page.Mouse.MoveAsync(a.X + a.Width / 2, a.Y + a.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((a.X + bx) / 2, (a.Y + by) / 2, new() { Steps = 10 });
        await page.Mouse.MoveAsync(bx, by, new() { Steps = 10 });
        await page.Mouse.UpAsync();
        await page.WaitForTimeoutAsync(800);
    }
}
