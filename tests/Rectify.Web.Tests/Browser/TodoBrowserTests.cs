using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rectify.Auditing;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Time;
using Rectify.Users;
using Rectify.Workflows;
using Rectify.Workflows.Definitions;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// Each role's to-do page (its home after signing in) in Chromium, on the demo office at the fake clock's Monday
/// 2026-03-02: the auditor's lists and navigation counts, a liaison's list on a phone with a button per next step,
/// the supervisor's incident. Each test works on units of its own (auditor: 教育局, 住交局, 卫健委; liaison: 科技局;
/// supervisor: the 医保局 draft), so their order does not matter.
/// </summary>
public sealed class TodoBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task The_auditors_to_do_lists_reports_extensions_due_soon_overdue_and_failed_mails_with_counts()
    {
        var calendar = app.Services.GetRequiredService<WorkingDayCalendar>();
        var today = app.Services.GetRequiredService<OfficeClock>().Today;
        var jyj = await FindingsOfAsync("教育局");
        var zjj = await FindingsOfAsync("住交局");
        var wjw = await FindingsOfAsync("卫健委");

        // 教育局 reports on its first finding; 住交局 asks for more time on its first.
        await SubmitReportAsync(app, "jyj", jyj[0].Id, "已在招生计划栏目公开本年度招生计划。");
        var asking = await app.ClientAsync("zjj");
        var requested = zjj[0].Deadline.AddDays(14);
        Assert.True((await asking.PostAsJsonAsync($"/api/findings/{zjj[0].Id}/extensions", new { newDeadline = requested, reason = "需协调住建部门提供配给数据。" })).IsSuccessStatusCode);

        // Deadlines on the working-day calendar: 3 working days ahead is due soon, 4 is not; 教育局's second is late.
        var soon = calendar.Add(today, WorkingDays.After(3));
        var notSoon = calendar.Add(today, WorkingDays.After(4));
        await app.WithDbAsync(async db =>
        {
            var findings = await db.Set<Finding>().Where(f => f.Id == wjw[0].Id || f.Id == wjw[1].Id || f.Id == jyj[1].Id).ToListAsync();
            findings.Single(f => f.Id == wjw[0].Id).Deadline = soon;
            findings.Single(f => f.Id == wjw[1].Id).Deadline = notSoon;
            var late = findings.Single(f => f.Id == jyj[1].Id);
            late.Deadline = calendar.Add(today, WorkingDays.Before(2));
            late.IsOverdue = true;
            late.OverdueSince = db.Time.GetUtcNow();
            db.Add(new OutboxMessage
            {
                Template = "reminder", DeduplicationKey = "todo-test:failed", RecipientKind = RecipientKind.Leader,
                RecipientName = "王局长", Subject = "【督办】整改期限已过", Status = OutboxStatus.Failed, LastError = "没有收件地址",
                FindingId = jyj[1].Id, CreatedAt = db.Time.GetUtcNow(), NextAttemptAt = db.Time.GetUtcNow(),
            });
            return await db.SaveChangesAsync();
        });

        var page = await app.NewPageAsync();
        await page.SetViewportSizeAsync(1366, 900);
        await PagesBrowserTests.SignInAsync(page, "auditor");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("待办");

        var review = page.Locator("#todo-review");
        await Assertions.Expect(review.Locator(".todo-item")).ToHaveCountAsync(1);
        await Assertions.Expect(review).ToContainTextAsync(jyj[0].Description);
        await Assertions.Expect(review.GetByRole(AriaRole.Link, new() { Name = "批量审核" })).ToHaveAttributeAsync("href", "/findings?status=Submitted");

        var extensions = page.Locator("#todo-extensions");
        await Assertions.Expect(extensions.Locator(".todo-item")).ToHaveCountAsync(1);
        await Assertions.Expect(extensions).ToContainTextAsync(zjj[0].Description);
        await Assertions.Expect(extensions).ToContainTextAsync(requested.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await Assertions.Expect(extensions.GetByRole(AriaRole.Link, new() { Name = $"审批 #{zjj[0].Id}" })).ToHaveAttributeAsync("href", $"/findings/{zjj[0].Id}#extensions");

        // (The liaison's test may have made one of 科技局's due soon too.)
        var dueSoon = page.Locator("#todo-due-soon");
        await Assertions.Expect(dueSoon).ToContainTextAsync(wjw[0].Description);
        await Assertions.Expect(dueSoon.Locator(".todo-item", new() { HasText = wjw[0].Description })).ToContainTextAsync("剩余3个工作日");
        await Assertions.Expect(dueSoon).Not.ToContainTextAsync(wjw[1].Description);

        var overdue = page.Locator("#todo-overdue");
        await Assertions.Expect(overdue.Locator(".todo-item")).ToHaveCountAsync(1);
        await Assertions.Expect(overdue).ToContainTextAsync(jyj[1].Description);
        await Assertions.Expect(overdue).ToContainTextAsync("逾期2个工作日");

        var mail = page.Locator("#todo-mail");
        await Assertions.Expect(mail).ToContainTextAsync("【督办】整改期限已过");
        await Assertions.Expect(mail).ToContainTextAsync("没有收件地址");

        // The navigation counts what awaits the auditor: one report and one extension request; one failed mail.
        await Assertions.Expect(page.Locator("#nav-todo-count")).ToHaveTextAsync("2项");
        await Assertions.Expect(page.Locator("#nav-mail-count")).ToHaveTextAsync("1封失败");
        await Assertions.Expect(page.Locator("nav a[aria-current=page]")).ToHaveAttributeAsync("href", "/todo");
        await BrowserApp.ShotAsync(page, "todo-auditor-1366");
        await page.SetViewportSizeAsync(390, 844);
        await BrowserApp.ShotAsync(page, "todo-auditor-390");
        await page.SetViewportSizeAsync(1366, 900);

        // 批量审核 opens the ledger on the submitted findings; 审核 opens the review form.
        await review.GetByRole(AriaRole.Link, new() { Name = "批量审核" }).ClickAsync();
        await page.WaitForPageAsync(new Regex(@"/findings\?status=Submitted$"));
        await Assertions.Expect(page.Locator("main table")).ToContainTextAsync(jyj[0].Description);
        await page.GoBackAsync();
        await review.GetByRole(AriaRole.Link, new() { Name = $"审核 #{jyj[0].Id}" }).ClickAsync();
        await page.WaitForPageAsync(new Regex($@"/findings/{jyj[0].Id}#review-form$"));
        await Assertions.Expect(page.Locator("#review-form")).ToBeVisibleAsync();

        // English too.
        await page.GotoAsync("/todo");
        await page.ClickAsync("a[lang=en]");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("To do");
        await Assertions.Expect(page.Locator("#todo-review h2")).ToContainTextAsync("Reports awaiting review");
        await BrowserApp.ShotAsync(page, "todo-auditor-en");
        await page.ClickAsync("a[lang=zh-CN]");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_liaisons_to_do_on_a_phone_puts_its_own_findings_first_each_with_its_next_step()
    {
        var calendar = app.Services.GetRequiredService<WorkingDayCalendar>();
        var today = app.Services.GetRequiredService<OfficeClock>().Today;
        var kjj = await FindingsOfAsync("科技局");
        var others = await FindingsOfAsync("教育局");

        // The first is reported and returned, the last is due tomorrow (a working day), the second waits.
        await SubmitReportAsync(app, "kjj", kjj[0].Id, "已公开本年度工作计划。");
        var reportId = await app.WithDbAsync(db => db.Set<Reports.RectificationReport>().Where(r => r.FindingId == kjj[0].Id).Select(r => r.Id).SingleAsync());
        var auditor = await app.ClientAsync("auditor");
        Assert.True((await auditor.PostAsJsonAsync($"/api/findings/{kjj[0].Id}/reports/{reportId}/review", new { accept = false, comment = "工作计划链接无法打开。" })).IsSuccessStatusCode);
        await app.WithDbAsync(async db =>
        {
            var due = await db.Set<Finding>().SingleAsync(f => f.Id == kjj[2].Id);
            due.Deadline = calendar.Add(today, WorkingDays.After(1));
            return await db.SaveChangesAsync();
        });

        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseUrl, Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true,
        });
        context.SetDefaultTimeout(BrowserApp.Timeout);
        var page = await context.NewPageAsync();
        PageTrace.Attach(page);
        await PagesBrowserTests.SignInAsync(page, "kjj");

        // What is due comes first; no chart or figures before the findings.
        var sections = page.Locator("main section");
        await Assertions.Expect(sections.First).ToHaveIdAsync("todo-due-soon");
        await Assertions.Expect(page.Locator("main svg, main .stats")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#todo-due-soon .todo-item")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#todo-due-soon")).ToContainTextAsync(kjj[2].Description);
        await Assertions.Expect(page.Locator("#todo-due-soon")).ToContainTextAsync("剩余1个工作日");
        await Assertions.Expect(page.Locator("#todo-returned .todo-item")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#todo-returned")).ToContainTextAsync(kjj[0].Description);
        await Assertions.Expect(page.Locator("#todo-to-rectify .todo-item")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#todo-to-rectify")).ToContainTextAsync(kjj[1].Description);
        // Only its own unit's findings.
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync(others[0].Description);
        await Assertions.Expect(page.Locator("#nav-todo-count")).ToHaveTextAsync("3项");

        // Each next step is a button wide enough for a thumb, and nothing scrolls sideways.
        var resubmit = page.Locator("#todo-returned").GetByRole(AriaRole.Link, new() { Name = $"修改后重新提交 #{kjj[0].Id}" });
        var box = await resubmit.BoundingBoxAsync();
        Assert.True(box is { Width: > 300, Height: >= 44 }, $"button box {box?.Width}×{box?.Height}");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await BrowserApp.ShotAsync(page, "todo-liaison-390");

        await page.Locator("#todo-due-soon").GetByRole(AriaRole.Link, new() { Name = $"提交整改报告 #{kjj[2].Id}" }).ClickAsync();
        await page.WaitForPageAsync(new Regex($@"/findings/{kjj[2].Id}#submit-report$"));
        await Assertions.Expect(page.Locator("#submit-report")).ToBeInViewportAsync();
        await BrowserApp.ShotAsync(page, "todo-liaison-390-next-step");
        await context.CloseAsync();
    }

    [Fact]
    public async Task The_supervisors_to_do_lists_a_faulted_workflow_as_an_incident()
    {
        // A workflow whose decision script fails, run for the 医保局 draft: the instance faults after assigning it.
        var findingId = await app.WithDbAsync(async db =>
        {
            var ybj = await db.Set<Rectify.Units.Unit>().Where(u => u.Name == "医保局").Select(u => u.Id).SingleAsync();
            return await db.Set<Finding>().Where(f => f.UnitId == ybj).Select(f => f.Id).SingleAsync();
        });
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var supervisor = await scope.ServiceProvider.GetRequiredService<Rectify.Data.RectifyDb>().Users.SingleAsync(u => u.UserName == "supervisor");
            scope.ServiceProvider.GetRequiredService<ActorContext>().Actor = new Actor(supervisor.Id, supervisor.DisplayName, UserRole.Supervisor, null);
            await scope.ServiceProvider.GetRequiredService<WorkflowDefinitionStore>().SaveAndPublishAsync(FaultingFlow);
            var db = scope.ServiceProvider.GetRequiredService<Rectify.Data.RectifyDb>();
            var finding = await db.Set<Finding>().SingleAsync(f => f.Id == findingId);
            await scope.ServiceProvider.GetRequiredService<IFindingWorkflows>().StartAsync([finding], "faulting");
            await db.SaveChangesAsync();
        }
        var instance = await app.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().SingleAsync(i => i.FindingId == findingId));
        Assert.Equal(WorkflowSubStatus.Faulted, instance.SubStatus);

        var page = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(page, "supervisor");
        await Assertions.Expect(page.Locator("#todo-overview .stats")).ToBeVisibleAsync();
        var incidents = page.Locator("#todo-incidents");
        await Assertions.Expect(incidents.Locator(".todo-item")).ToHaveCountAsync(1);
        await Assertions.Expect(incidents).ToContainTextAsync($"问题 #{findingId} 的流程已中断");
        await Assertions.Expect(incidents).ToContainTextAsync(instance.Fault!);
        await Assertions.Expect(incidents.GetByRole(AriaRole.Link, new() { Name = $"查看流程 {instance.Id}" }))
            .ToHaveAttributeAsync("href", $"/designer/workflows/instances/{instance.Id}/view");
        await Assertions.Expect(page.Locator("#nav-todo-count")).ToHaveTextAsync("1项");
        await BrowserApp.ShotAsync(page, "todo-supervisor-1366");

        await incidents.GetByRole(AriaRole.Link, new() { Name = $"问题 #{findingId} 的流程已中断" }).ClickAsync();
        await page.WaitForPageAsync(new Regex($@"/findings/{findingId}#workflow$"));
        await Assertions.Expect(page.Locator("#workflow")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    /// <summary>A liaison's report without evidence, through the API.</summary>
    internal static async Task SubmitReportAsync(RectifyWebFactory app, string liaison, int findingId, string measures)
    {
        var client = await app.ClientAsync(liaison);
        using var form = new MultipartFormDataContent { { new StringContent(measures), "measures" } };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/findings/{findingId}/reports", form)).StatusCode);
    }

    /// <summary>A unit's issued findings in the order they were seeded.</summary>
    private async Task<List<Finding>> FindingsOfAsync(string unit)
    {
        var unitId = await app.UnitIdAsync(unit);
        return await app.WithDbAsync(db => db.Set<Finding>().AsNoTracking()
            .Where(f => f.UnitId == unitId && f.Status != FindingStatus.Draft).OrderBy(f => f.Id).ToListAsync());
    }

    private const string FaultingFlow = """
        {
          "definitionId": "faulting", "version": 1, "name": "会出错的流程",
          "root": {"type": "Elsa.Flowchart", "id": "root", "nodeId": "faulting:root", "activities": [
            {"id": "start", "nodeId": "faulting:root:start", "type": "Elsa.Start", "version": 1},
            {"id": "assign", "nodeId": "faulting:root:assign", "type": "Rectify.AssignToUnit", "version": 1},
            {"id": "decide", "nodeId": "faulting:root:decide", "type": "Elsa.FlowDecision", "version": 1,
             "condition": {"typeName": "Boolean", "expression": {"type": "JavaScript", "value": "throw new Error('预算接口不可用')"} } },
            {"id": "end", "nodeId": "faulting:root:end", "type": "Elsa.End", "version": 1}
          ], "connections": [
            {"source": {"activity": "start", "port": "Done"}, "target": {"activity": "assign", "port": "In"}},
            {"source": {"activity": "assign", "port": "Done"}, "target": {"activity": "decide", "port": "In"}},
            {"source": {"activity": "decide", "port": "True"}, "target": {"activity": "end", "port": "In"}}
          ]}
        }
        """;
}
