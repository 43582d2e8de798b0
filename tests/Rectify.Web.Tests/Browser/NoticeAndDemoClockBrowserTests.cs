using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rectify.Findings;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// In Chromium, on an app whose demonstration clock starts at 2026-09-28: a notice draft shows its cut-off, refuses
/// to be issued once its data changed and lists the changes, then issues the recomposed preview. The demo clock's move
/// is in its own app (below): moved past the seeded drafts' deadlines, issuing them would be refused
/// (finding.deadline_past), whichever test ran first.
/// </summary>
public sealed class NoticeAndDemoClockBrowserTests(DemoClockBrowserApp app) : IClassFixture<DemoClockBrowserApp>
{
    [Fact]
    public async Task A_notice_draft_shows_its_cut_off_and_after_a_change_refuses_with_the_differences_until_recomposed()
    {
        var page = await app.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await PagesBrowserTests.SignInAsync(page, "auditor");
        await page.GotoAsync("/notices");
        // The seeded inspection is partly issued: it is offered with the count of its findings still to publish.
        await Assertions.Expect(page.Locator("#new-notice label.check").First).ToContainTextAsync("未通报");
        await BrowserApp.ShotAsync(page, "notice-new-draft-offer");
        await page.Locator("#new-notice input[name=InspectionIds]").First.CheckAsync();
        await page.FillAsync("#new-notice #Number", "X政公办〔2026〕30号");
        var composedAt = app.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        await page.ClickAsync("#new-notice button[type=submit]");
        await page.WaitForPageAsync(new Regex(@"/notices/\d+$"));
        // The cut-off is the demo clock's time when the draft was composed (the clock stands still between moves here).
        await Assertions.Expect(page.Locator("#cut-off strong")).ToHaveTextAsync(composedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#completion")).ToContainTextAsync("按时整改率 = ");
        await BrowserApp.ShotAsync(page, "notice-draft-cut-off");

        // A finding is added to the inspection after the preview was composed.
        var noticeId = int.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        await app.WithDbAsync(async db =>
        {
            var inspectionId = await db.Set<Rectify.Notices.NoticeInspection>().Where(i => i.NoticeId == noticeId).Select(i => i.InspectionId).FirstAsync();
            var template = await db.Set<Finding>().FirstAsync(f => f.InspectionId == inspectionId);
            db.Add(new Finding
            {
                InspectionId = inspectionId, UnitId = template.UnitId, CategoryId = template.CategoryId, Description = "补录：依申请公开答复超期",
                Requirement = "按时答复", Deadline = template.Deadline, CreatedAt = db.Time.GetUtcNow(),
            });
            return await db.SaveChangesAsync();
        });
        await page.ClickAsync("#issue");
        await Assertions.Expect(page.Locator(".error[role=alert]")).ToContainTextAsync("自生成预览以来");
        await Assertions.Expect(page.Locator(".error[role=alert] ul.differences")).ToContainTextAsync("本期问题新增");
        await Assertions.Expect(page.Locator(".error[role=alert] ul.differences")).ToContainTextAsync("补录：依申请公开答复超期");
        await BrowserApp.ShotAsync(page, "notice-issue-refused");

        await page.ClickAsync("#recompose");
        await Assertions.Expect(page.Locator(".notice[role=status]")).ToContainTextAsync("已按当前数据重新生成预览");
        await Assertions.Expect(page.Locator(".notice-paper")).ToContainTextAsync("补录：依申请公开答复超期");
        await page.ClickAsync("#issue");
        await Assertions.Expect(page.Locator(".notice[role=status]")).ToContainTextAsync("通报已印发");
    }
}

/// <summary>The supervisor moves the demonstration clock (its own app: the move is for good).</summary>
public sealed class DemoClockMoveBrowserTests(DemoClockBrowserApp app) : IClassFixture<DemoClockBrowserApp>
{
    [Fact]
    public async Task The_supervisor_moves_the_demo_clock_from_the_workflows_page()
    {
        var page = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(page, "supervisor");
        await page.GotoAsync("/workflows");
        await Assertions.Expect(page.Locator("#demo-now")).ToHaveTextAsync(new Regex("^2026-"));
        await page.FillAsync("#Until", "2026-10-10T09:30");
        await page.ClickAsync("#demo-clock-move");
        await Assertions.Expect(page.Locator("#demo-clock .notice")).ToContainTextAsync("演示时钟已调至 2026-10-10 09:30");
        await Assertions.Expect(page.Locator("#demo-now")).ToHaveTextAsync("2026-10-10 09:30");
        await BrowserApp.ShotAsync(page, "demo-clock-control");
        // Still signed in after the move.
        await page.GotoAsync("/dashboard");
        Assert.EndsWith("/dashboard", page.Url);
    }
}
