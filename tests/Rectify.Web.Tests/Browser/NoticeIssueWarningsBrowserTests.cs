using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Rectify.Findings;
using Rectify.Inspections;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// In Chromium, on 2026-03-02: the issue confirmation of a notice draft warns, per new finding, of a deadline too short
/// for the workflow's first reminder and of one already past, and issuing is then refused naming the past one.
/// </summary>
public sealed class NoticeIssueWarningsBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task The_issue_confirmation_warns_of_short_and_past_deadlines_and_issuing_refuses_the_past_one_by_name()
    {
        var (inspectionId, shortId, pastId) = await app.WithDbAsync(async db =>
        {
            var unit = await db.Set<Rectify.Units.Unit>().OrderBy(u => u.Id).FirstAsync();
            var category = await db.Set<Rectify.Categories.Category>().OrderBy(c => c.Id).FirstAsync();
            var inspection = new Inspection { Title = "2026年3月专项检查", Kind = InspectionKind.ThirdPartyCheck, PeriodStart = new(2026, 3, 1), PeriodEnd = new(2026, 3, 31), CreatedAt = db.Time.GetUtcNow() };
            Finding Draft(string description, DateOnly deadline) => new()
            {
                Inspection = inspection, UnitId = unit.Id, CategoryId = category.Id, Description = description,
                Requirement = "及时更新", Deadline = deadline, CreatedAt = db.Time.GetUtcNow(),
            };
            // Monday 03-02: 03-04 leaves 2 working days, fewer than the first reminder needs; 02-27 is past.
            var shortOne = Draft("专项：政策解读缺失", new(2026, 3, 4));
            var pastOne = Draft("专项：年报未发布", new(2026, 2, 27));
            db.AddRange(inspection, shortOne, pastOne, Draft("专项：栏目空白", new(2026, 4, 30)));
            await db.SaveChangesAsync();
            return (inspection.Id, shortOne.Id, pastOne.Id);
        });

        var page = await app.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await PagesBrowserTests.SignInAsync(page, "auditor");
        await page.GotoAsync("/notices");
        await page.Locator($"#new-notice input[name=InspectionIds][value='{inspectionId}']").CheckAsync();
        await page.FillAsync("#new-notice #Number", "X政公办〔2026〕31号");
        await page.ClickAsync("#new-notice button[type=submit]");
        await page.WaitForPageAsync(new Regex(@"/notices/\d+$"));

        var warnings = page.Locator("#issue-warnings li");
        await Assertions.Expect(warnings).ToHaveCountAsync(2);
        await Assertions.Expect(warnings.Nth(0)).ToContainTextAsync($"问题 #{shortId} 的整改期限（2026-03-04）距今只有2个工作日");
        await Assertions.Expect(warnings.Nth(1)).ToContainTextAsync($"问题 #{pastId}");
        await Assertions.Expect(warnings.Nth(1)).ToContainTextAsync("早于今天");
        await BrowserApp.ShotAsync(page, "notice-issue-warnings");

        await page.ClickAsync("#issue");
        await Assertions.Expect(page.Locator(".error[role=alert]")).ToContainTextAsync($"问题 #{pastId}");
        await Assertions.Expect(page.Locator(".error[role=alert]")).ToContainTextAsync("2026-02-27 早于今天，不能下发");
        await BrowserApp.ShotAsync(page, "notice-issue-refused-past-deadline");
        Assert.Equal(3, await app.WithDbAsync(db => db.Set<Finding>().CountAsync(f => f.InspectionId == inspectionId && f.Status == FindingStatus.Draft)));
    }
}
