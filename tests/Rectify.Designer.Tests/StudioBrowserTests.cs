using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rectify.Mail;
using Rectify.Time;
using Rectify.Workflows.Activities;
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
        await page.WaitForNetworkIdleAsync(30_000);
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

        // The journal lists each step's events (in Chinese, see wwwroot/js/studio-zh.js) with their times.
        foreach (var entry in new[] { "交办单位 - 完成", "等到期限前后 - 恢复", "逾期督办 - 完成", "等待整改报告 - 暂停" })
            Assert.True(await frame.GetByText(entry).CountAsync() > 0, entry);

        // Clicking a step shows it, with its executions: the evaluated inputs and the outcome.
        await StudioCanvas.SelectAsync(frame.Locator("g[data-cell-id='mailReminder1']"), frame.GetByText("Rectify.SendEmail"));
        await frame.GetByText("执行记录", new() { Exact = false }).First.ClickAsync();
        await Assertions.Expect(frame.GetByRole(AriaRole.Tab, new() { Name = "执行记录" })).ToHaveAttributeAsync("aria-selected", "true");
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
            if (r.Request.Method == "POST" && r.Url.EndsWith("/elsa/api/workflow-definitions", StringComparison.Ordinal) && r.Request.PostData?.Contains("\"publish\":true") == true)
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
        await StudioCanvas.DrawnAsync(page, 18, Boot);
        Assert.Equal(0, await page.Locator("#blazor-error-ui:visible").CountAsync());
        await BrowserApp.ShotAsync(page, "designer-editor-loaded");

        // Drag a second "wait until" reminder from the toolbox onto an empty part of the canvas.
        var added = await DropAsync(page, "整改", "等到期限前后", 1050, 40);
        var canvas = page.Locator(".x6-graph").First;

        // Give it a reminder mail of its own, a copy of the existing one moved to free canvas: feeding the existing mail
        // step would make that step a join of two reminders, which Elsa runs once, when both have come.
        var box = (await canvas.BoundingBoxAsync())!;
        async Task DeselectAsync() { await page.Mouse.ClickAsync(box.X + box.Width - 15, box.Y + 200); await page.WaitForTimeoutAsync(400); }
        await DeselectAsync();
        var beforeCopy = await NodeIdsAsync(page);
        await page.Locator("g[data-cell-id='mailReminder1'] foreignObject").ClickAsync();
        await page.Keyboard.PressAsync("Control+C");
        await page.Keyboard.PressAsync("Control+V");
        var mail = await NewNodeAsync(page, beforeCopy, tries: 50) ?? throw new TimeoutException("The pasted activity did not appear.");
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
        await AutoSavedAsync(page, async () =>
        {
            await offset.FillAsync("-2");
            await offset.PressAsync("Tab");
        }, draft => InputOf(draft, added, "offset") == "-2");
        await BrowserApp.ShotAsync(page, "designer-editor-edited");

        // Publish (the cloud button); the Studio posts {model, publish:true}.
        await page.Locator("button:has(path[d^='M19.35 10.04']) >> visible=true").First.ClickAsync();
        var saved = await published.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var version = (int)saved["workflowDefinition"]!["version"]!;
        Assert.True((bool)saved["workflowDefinition"]!["isPublished"]!);
        await Assertions.Expect(page.Locator("#published-version")).ToHaveTextAsync($"已发布 v{version}");
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

    [Fact]
    public async Task A_supervisor_edits_inputs_branches_and_versions_in_the_Chinese_Studio()
    {
        var page = await SignedInPageAsync("supervisor", 1600, 1000);
        var failed = new List<string>();
        page.Response += (_, r) =>
        {
            if (r.Url.Contains("/elsa/api/") && r.Status >= 400)
                failed.Add($"{r.Status} {r.Request.Method} {r.Url}");
        };
        var publishedVersion = new TaskCompletionSource<int>();
        page.Response += async (_, r) =>
        {
            if (r.Request.Method == "POST" && r.Url.EndsWith("/elsa/api/workflow-definitions", StringComparison.Ordinal) && r.Request.PostData?.Contains("\"publish\":true") == true)
                publishedVersion.TrySetResult((int)JsonNode.Parse(await r.TextAsync())!["workflowDefinition"]!["version"]!);
        };
        await page.GotoAsync($"/workflows/definitions/{DefaultDefinition}/edit");
        await page.Locator("g[data-cell-id='mailReminder3']").WaitForAsync(new() { Timeout = Boot });

        // Opened fitted to the window (at the Studio's smallest scale this flow is wider than the canvas): the flow's
        // beginning, start first, lies inside the canvas.
        var canvas = page.Locator("elsa-workflow-definition-editor .x6-graph").First;
        await EventuallyAsync(async () =>
        {
            var area = (await canvas.BoundingBoxAsync())!;
            foreach (var id in new[] { "start", "assign", "mailAssigned", "fork", "mailExtension" })
            {
                var node = (await page.Locator($"g[data-cell-id='{id}']").BoundingBoxAsync())!;
                if (node.X < area.X || node.Y < area.Y || node.X + node.Width > area.X + area.Width || node.Y + node.Height > area.Y + area.Height)
                    return $"{id} at {node.X},{node.Y} outside {area.X},{area.Y} {area.Width}x{area.Height}";
            }
            return null;
        });
        // The chrome is Chinese (Elsa's strings through the page, MudBlazor's from its zh-Hans resources).
        foreach (var text in new[] { "属性", "变量", "输入", "自动保存" })
            Assert.True(await page.GetByText(text, new() { Exact = true }).CountAsync() > 0, text);
        foreach (var text in new[] { "Properties", "Variables", "Input", "Auto-save" })
            Assert.Equal(0, await page.GetByText(text, new() { Exact = true }).CountAsync());
        await BrowserApp.ShotAsync(page, "designer-studio-zh-fitted");

        // The fork gets a fourth branch: typed as a chip, it becomes a port on the fork.
        await page.Locator("g[data-cell-id='fork'] foreignObject").ClickAsync(new() { Force = true });
        var chips = page.Locator(".mud-input-control:has(.mud-chipset) input").First;
        await chips.FillAsync("Leader");
        await chips.PressAsync("Enter");
        await page.Locator("g[data-cell-id='fork'] [port='Leader']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await BrowserApp.ShotAsync(page, "designer-studio-fork-branch");

        // A mail step for the new branch, dropped from the toolbox, its template and recipients chosen from the lists.
        await DeselectAsync(page);
        var mail = await DropAsync(page, "整改", "发送邮件", 700, 40);
        await DeselectAsync(page);
        await ConnectAsync(page, "fork", "Leader", mail);
        await DeselectAsync(page);
        await page.Locator($"g[data-cell-id='{mail}'] foreignObject").ClickAsync(new() { Force = true });
        await ChooseAsync(page, "邮件模板", "交办通知 (assigned)");
        // The unit's leader instead of the input's default, the liaison, shown ticked.
        await Assertions.Expect(page.Locator("label.mud-checkbox:has-text('责任单位联络人') .mud-checkbox-true")).ToHaveCountAsync(1);
        await page.Locator("label.mud-checkbox:has-text('责任单位负责人')").ClickAsync();
        await Assertions.Expect(page.Locator("label.mud-checkbox:has-text('责任单位负责人') .mud-checkbox-true")).ToHaveCountAsync(1);
        await page.Locator("label.mud-checkbox:has-text('责任单位联络人')").ClickAsync();
        await Assertions.Expect(page.Locator("label.mud-checkbox:has-text('责任单位联络人') .mud-checkbox-false")).ToHaveCountAsync(1);
        await page.WaitForTimeoutAsync(2000);
        await BrowserApp.ShotAsync(page, "designer-studio-mail-inputs");

        // A join after it, waiting for all its branches.
        var join = await DropAsync(page, "流程", "汇合", 420, 50);
        await DeselectAsync(page);
        await ConnectAsync(page, mail, "Done", join);
        await DeselectAsync(page);
        await page.Locator($"g[data-cell-id='{join}'] foreignObject").ClickAsync(new() { Force = true });
        await ChooseAsync(page, "汇合方式", "全部到达");
        await page.WaitForTimeoutAsync(1500);
        await BrowserApp.ShotAsync(page, "designer-studio-join-mode");

        // Publish; the page header follows.
        await page.Locator("button:has(path[d^='M19.35 10.04']) >> visible=true").First.ClickAsync();
        var version = await publishedVersion.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Assertions.Expect(page.Locator("#published-version")).ToHaveTextAsync($"已发布 v{version}");
        await BrowserApp.ShotAsync(page, "designer-studio-published");
        var stored = JsonNode.Parse((await app.WithDbAsync(db => db.Set<Workflows.WorkflowDefinitionVersion>().SingleAsync(v => v.DefinitionId == DefaultDefinition && v.IsPublished))).Json)!;
        var activities = stored["root"]!["activities"]!.AsArray();
        JsonNode Input(string id, string name) => activities.Single(a => (string?)a!["id"] == id)![name]!["expression"]!;
        Assert.Equal(["Reminder3", "Reminder1", "Report", "Leader"], JsonSerializer.Deserialize<string[]>((string)Input("fork", "branches")["value"]!)!);
        Assert.Equal("assigned", (string?)Input(mail, "template")["value"]);
        Assert.Equal(["Leader"], JsonSerializer.Deserialize<string[]>((string)Input(mail, "recipients")["value"]!)!);
        Assert.Equal("WaitAll", (string?)Input(join, "mode")["value"]);
        Assert.Contains(stored["root"]!["connections"]!.AsArray(), c => (string?)c!["source"]!["activity"] == "fork" && (string?)c["source"]!["port"] == "Leader" && (string?)c["target"]!["activity"] == mail);

        // A finding issued now follows it: the new branch sends the assigned mail to whom the check list names (the
        // leader; the liaison's copy is the first assigned step's).
        var auditor = await KestrelClientAsync("auditor");
        var findingId = await IssueFindingAsync(app, auditor, app.Services.GetRequiredService<OfficeClock>().Today.AddDays(20), "发布新分支后的问题");
        Assert.Equal(version, (await InstanceOfAsync(app, findingId)).DefinitionVersion);
        var assigned = await app.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.FindingId == findingId && m.Template == "assigned")
            .Select(m => m.RecipientKind).ToListAsync());
        Assert.Equal([RecipientKind.Liaison, RecipientKind.Leader], assigned.Order());

        // The menu: Unpublish is not offered (findings need a published version); Export downloads Elsa's JSON.
        await page.Locator("elsa-workflow-definition-editor button.mud-menu-icon-button-activator:has(path[d='M7 10l5 5 5-5z']) >> visible=true").First.ClickAsync();
        await Assertions.Expect(MenuItem(page, "导出")).ToBeVisibleAsync();
        Assert.False(await MenuItem(page, "取消发布").IsVisibleAsync());
        await BrowserApp.ShotAsync(page, "designer-studio-menu");
        var download = await page.RunAndWaitForDownloadAsync(async () =>
        {
            await MenuItem(page, "导出").ClickAsync();
            // The Studio asks whether to include the workflows referencing this one (none here).
            var dialog = page.Locator(".mud-dialog");
            await Assertions.Expect(dialog.GetByText("包含引用它的流程")).ToBeVisibleAsync();
            await BrowserApp.ShotAsync(page, "designer-studio-export-dialog");
            await dialog.Locator("button", new() { HasText = "导出" }).ClickAsync();
        });
        var exported = Path.Combine(Path.GetTempPath(), $"rectify-export-{Guid.NewGuid():N}.json");
        await download.SaveAsAsync(exported);
        Assert.True(JsonNode.DeepEquals(stored["root"], JsonNode.Parse(await File.ReadAllTextAsync(exported))!["root"]));

        // The exported file imported on the definitions page becomes a new definition, opened in the Studio.
        await page.GotoAsync("/workflows");
        await page.Locator(".workflow-import input[type=file]").SetInputFilesAsync(exported);
        await BrowserApp.ShotAsync(page, "designer-workflows-import");
        await page.Locator(".workflow-import button[type=submit]").ClickAsync();
        await page.WaitForPageAsync(new Regex($"^(?!.*{Regex.Escape(DefaultDefinition)}).*/designer/workflows/definitions/"), 30_000);
        await page.Locator($"g[data-cell-id='{mail}']").WaitForAsync(new() { Timeout = Boot });
        await page.Locator("g[data-cell-id='fork'] [port='Leader']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await BrowserApp.ShotAsync(page, "designer-studio-imported");
        File.Delete(exported);

        // Version history: Rollback to v1 makes its flow the draft; deleting a version is not offered.
        await page.GotoAsync($"/workflows/definitions/{DefaultDefinition}/edit");
        await page.Locator($"g[data-cell-id='{mail}']").WaitForAsync(new() { Timeout = Boot });
        await page.Locator(".mud-tab", new() { HasText = "版本历史" }).ClickAsync();
        var v1 = page.Locator("tr:has(td:text-is('1'))").First;
        await v1.Locator("button").Last.ClickAsync();
        await Assertions.Expect(MenuItem(page, "回退到此版本")).ToBeVisibleAsync();
        Assert.False(await MenuItem(page, "删除").IsVisibleAsync());
        await BrowserApp.ShotAsync(page, "designer-studio-history");
        await MenuItem(page, "回退到此版本").ClickAsync();
        await Assertions.Expect(page.Locator($"g[data-cell-id='{mail}']")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#draft-version")).ToContainTextAsync($"v{version + 1}");
        await BrowserApp.ShotAsync(page, "designer-studio-reverted");
        var draft = await app.WithDbAsync(db => db.Set<Workflows.WorkflowDefinitionVersion>().SingleAsync(v => v.DefinitionId == DefaultDefinition && v.IsLatest));
        var first = await app.WithDbAsync(db => db.Set<Workflows.WorkflowDefinitionVersion>().SingleAsync(v => v.DefinitionId == DefaultDefinition && v.Version == 1));
        Assert.Equal((version + 1, false), (draft.Version, draft.IsPublished));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(first.Json)!["root"], JsonNode.Parse(draft.Json)!["root"]));

        Assert.Empty(failed);
        Assert.Equal(0, await page.Locator("#blazor-error-ui:visible").CountAsync());
    }

    [Fact]
    public async Task The_recipients_check_list_shows_exactly_what_is_saved()
    {
        var page = await SignedInPageAsync("supervisor", 1600, 1000);
        JsonNode? draft = null;
        page.Response += (_, r) =>
        {
            if (r.Request.Method == "POST" && r.Url.EndsWith("/elsa/api/workflow-definitions", StringComparison.Ordinal) && r.Ok)
                Volatile.Write(ref draft, JsonNode.Parse(r.Request.PostData!));
        };
        await page.GotoAsync($"/workflows/definitions/{DefaultDefinition}/edit");
        await page.Locator("g[data-cell-id='mailSubmitted']").WaitForAsync(new() { Timeout = Boot });
        // The panel's boxes appear before their ticks are bound, so the ticks are read until they show the step's own.
        // The Studio's check list reads its ticks once, when the panel opens: in one of several full runs, a step opened
        // just after the designer loaded kept no ticks at all. So a step is opened again (at most three times, as a user
        // would); a saved value that is never shown still fails, with what each opening showed.
        async Task ExpectTickedAsync(string activity, string expected)
        {
            var boxes = page.Locator("label.mud-checkbox");
            var shown = new List<string>();
            for (var opening = 1; opening <= 3; opening++)
            {
                if (opening > 1)
                    await DeselectAsync(page);
                await StudioCanvas.SelectAsync(page.Locator($"g[data-cell-id='{activity}']"), boxes);
                for (var read = 0; read < 25; read++)
                {
                    var ticked = string.Join(",", await boxes.Filter(new() { Has = page.Locator(".mud-checkbox-true") }).AllInnerTextsAsync());
                    if (ticked == expected)
                        return;
                    if (read == 24)
                        shown.Add($"[{ticked}]");
                    await Task.Delay(200);
                }
            }
            throw new Xunit.Sdk.XunitException($"{activity} ticked {string.Join(" then ", shown)}, expected {expected}");
        }
        async Task ClickAsync(string recipient, string expectedShown)
        {
            await page.Locator($"label.mud-checkbox:has-text('{recipient}')").ClickAsync();
            await EventuallyAsync(async () => await page.Locator("label.mud-checkbox")
                .Filter(new() { Has = page.Locator(".mud-checkbox-true") }).AllInnerTextsAsync() is var shown && string.Join(",", shown) == expectedShown ? null : $"shown {string.Join(",", shown)}");
        }
        // What the auto-saved draft holds as the step's recipients, as the runtime reads them.
        string? Saved(string activity) =>
            Volatile.Read(ref draft)?["model"]?["root"]?["activities"]?.AsArray().SingleOrDefault(a => (string?)a!["id"] == activity)?["recipients"]?["expression"]?["value"] is JsonValue v
                ? string.Join(",", ValueConversion.To<List<string>>(v.GetValue<string>())) : null;

        // Stored steps show their own recipients, not the input's default (files keep them as literal comma lists).
        await ExpectTickedAsync("mailSubmitted", "审核人员");
        await DeselectAsync(page);
        await ExpectTickedAsync("mailAssigned", "责任单位联络人");
        await DeselectAsync(page);

        // A new step shows its default, the liaison, ticked; each click saves exactly the boxes shown.
        var mail = await DropAsync(page, "整改", "发送邮件", 700, 40);
        await DeselectAsync(page);
        await ExpectTickedAsync(mail, "责任单位联络人");
        await ClickAsync("责任单位负责人", "责任单位联络人,责任单位负责人");
        await EventuallyAsync(() => Task.FromResult(Saved(mail) == "Liaison,Leader" ? null : $"saved {Saved(mail)}"));
        await ClickAsync("责任单位联络人", "责任单位负责人");
        await EventuallyAsync(() => Task.FromResult(Saved(mail) == "Leader" ? null : $"saved {Saved(mail)}"));
        await BrowserApp.ShotAsync(page, "designer-studio-recipients-leader");

        // Reopened, the step shows what was saved.
        await DeselectAsync(page);
        await ExpectTickedAsync(mail, "责任单位负责人");
        Assert.Equal("Leader", Saved(mail));
    }

    private static ILocator MenuItem(IPage page, string text) =>
        page.Locator(".mud-popover-open .mud-menu-item").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex($"^\\s*{text}\\s*$") });

    /// <summary>Picks an item of an input's dropdown (the Studio's select, labelled by its legend).</summary>
    private static async Task ChooseAsync(IPage page, string input, string item)
    {
        await page.Locator($".mud-select-extended:has(legend:text-is('{input}')) .mud-input-slot[tabindex]").First.ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(item, new() { Exact = true }).First.ClickAsync();
        await page.WaitForTimeoutAsync(500);
    }

    /// <summary>Drags an activity from a toolbox category onto the canvas and returns its id.</summary>
    private static async Task<string> DropAsync(IPage page, string category, string activity, float x, float y)
    {
        var before = await NodeIdsAsync(page);
        // The toolbox's categories are expansion panels (the canvas shows the same names under each activity's title).
        var item = page.Locator(".mud-expand-panel").GetByText(activity, new() { Exact = true }).First;
        var header = page.Locator(".mud-expand-panel-header").GetByText(category, new() { Exact = true }).First;
        await header.ClickAsync();
        var canvas = page.Locator("elsa-workflow-definition-editor .x6-graph").First;
        // The Studio (Blazor) takes the dragged activity in its dragstart handler: on a busy machine a drop that comes
        // before the handler ran adds nothing, so a drag that added nothing is made again.
        string? added = null;
        for (var attempt = 1; added is null; attempt++)
        {
            if (attempt > 3)
                throw new TimeoutException($"The dropped activity {activity} did not appear after three drags.");
            await item.DragToAsync(canvas, new() { TargetPosition = new() { X = x, Y = y } });
            added = await NewNodeAsync(page, before, tries: 25);
        }
        // Folded again, so that the next category's items are in view.
        await header.ClickAsync();
        return added;
    }

    private static Task<string[]> NodeIdsAsync(IPage page) =>
        page.Locator("g.x6-node[data-cell-id]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-cell-id'))");

    /// <summary>Clicks empty canvas (its right edge), which drops the selection box.</summary>
    private static async Task DeselectAsync(IPage page)
    {
        var box = (await page.Locator(".x6-graph").First.BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + box.Width - 15, box.Y + box.Height - 15);
        await page.WaitForTimeoutAsync(400);
    }

    /// <summary>
    /// Runs an edit and waits for the Studio's auto-save (debounced) to store a draft that <paramref name="saved"/>
    /// accepts, so that what follows sees the edit stored rather than waiting a fixed time for it.
    /// </summary>
    private static Task<IResponse> AutoSavedAsync(IPage page, Func<Task> edit, Func<JsonNode, bool> saved) =>
        page.RunAndWaitForResponseAsync(edit, r => r.Request.Method == "POST" && r.Url.EndsWith("/elsa/api/workflow-definitions", StringComparison.Ordinal) && r.Ok
            && r.Request.PostData is { } body && !body.Contains("\"publish\":true") && saved(JsonNode.Parse(body)!));

    /// <summary>A step's literal input in a posted draft ({model: {root: {activities: [...]}}}).</summary>
    private static string? InputOf(JsonNode draft, string activity, string input) =>
        draft["model"]?["root"]?["activities"]?.AsArray().SingleOrDefault(a => (string?)a!["id"] == activity)?[input]?["expression"]?["value"] is JsonValue v
            && v.TryGetValue<string>(out var text) ? text : null;

    /// <summary>Retries <paramref name="probe"/> (null when satisfied) for up to 15 s; fails with its last answer.</summary>
    private static async Task EventuallyAsync(Func<Task<string?>> probe)
    {
        string? problem = null;
        for (var i = 0; i < 75; i++)
        {
            if ((problem = await probe()) is null) return;
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException(problem);
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

    /// <summary>The node added since <paramref name="before"/>, looked for every 200 ms, <paramref name="tries"/> times; null if none came.</summary>
    private static async Task<string?> NewNodeAsync(IPage page, string[] before, int tries)
    {
        for (var i = 0; i < tries; i++)
        {
            if ((await NodeIdsAsync(page)).Except(before).SingleOrDefault() is { } added) return added;
            await Task.Delay(200);
        }
        return null;
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
        await page.WaitForPageAsync(SignedIn, 30_000);
        return page;
    }

    /// <summary>Drags from an output port to a node's input port with the mouse, as a person does.</summary>
    private static async Task ConnectAsync(IPage page, string from, string port, string to, bool inPortTaken = false)
    {
        var a = (await page.Locator($"g[data-cell-id='{from}'] [port='{port}']").BoundingBoxAsync())!;
        var b = (await page.Locator($"g[data-cell-id='{to}'] [port='In']").BoundingBoxAsync())!;
        // An input port that already receives a connection is covered by that edge's line: aim at its upper part.
        var bx = b.X + b.Width / 2;
        var by = b.Y + b.Height * (inPortTaken ? 0.2f : 0.5f);
        await page.Mouse.MoveAsync(a.X + a.Width / 2, a.Y + a.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((a.X + bx) / 2, (a.Y + by) / 2, new() { Steps = 10 });
        await page.Mouse.MoveAsync(bx, by, new() { Steps = 10 });
        await page.Mouse.UpAsync();
        await page.WaitForTimeoutAsync(800);
    }
}
