using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Rectify.Auditing;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Notices;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// /audit in Chromium: an auditor issues a notice (its page shows the head it anchors), a supervisor checks the demo
/// office's trail and the notice's head, then finds the entry changed in the database named.
/// </summary>
public sealed class AuditBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task A_supervisor_checks_the_trail_and_sees_the_entry_changed_in_the_database_named()
    {
        await IssueNoticeAsync();
        var page = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(page, "supervisor");
        await page.ClickAsync("nav a[href='/audit']");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("操作记录核验");
        var head = await app.WithDbAsync(db => AuditChain.HeadAsync(db));
        await Assertions.Expect(page.Locator("#head-hash")).ToHaveTextAsync(head!.Hash);

        await page.ClickAsync("form button[type=submit]:has-text('核验全部记录')");
        await Assertions.Expect(page.Locator("#verdict")).ToContainTextAsync($"记录链完整：{head.Sequence:N0} 条记录均未被改动，1 份通报记下的链头均相符");
        await BrowserApp.ShotAsync(page, "audit-intact");

        // Someone with database access rewrites who did something.
        var victim = await app.WithDbAsync(db => db.Set<AuditEvent>().AsNoTracking().SingleAsync(e => e.Sequence == 5));
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE \"AuditEvent\" SET \"ActorName\" = {0} WHERE \"Id\" = {1}", "他人", victim.Id));

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#verdict")).ToContainTextAsync($"记录链已被改动。第5条记录（编号{victim.Id}）的内容与其哈希不符");
        var row = page.Locator("#first-break tbody tr");
        await Assertions.Expect(row.Locator("td").Nth(1)).ToHaveTextAsync(victim.Id.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("他人");
        await Assertions.Expect(row.Locator("td").Nth(4)).ToHaveTextAsync(victim.Action);
        await BrowserApp.ShotAsync(page, "audit-broken");

        await page.ClickAsync("a[lang=en]");
        await Assertions.Expect(page.Locator("#verdict")).ToContainTextAsync($"The trail was tampered with. Entry {victim.Id} (sequence 5)");
        await BrowserApp.ShotAsync(page, "audit-broken-en");
    }

    /// <summary>An auditor issues a notice; its web page's footer shows the head it recorded (desk and phone width).</summary>
    private async Task IssueNoticeAsync()
    {
        var inspectionId = await app.WithDbAsync(async db =>
        {
            var unit = await db.Set<Rectify.Units.Unit>().OrderBy(u => u.Id).FirstAsync();
            var category = await db.Set<Rectify.Categories.Category>().OrderBy(c => c.Id).FirstAsync();
            var inspection = new Inspection { Title = "2026年3月专项检查", Kind = InspectionKind.ThirdPartyCheck, PeriodStart = new(2026, 3, 1), PeriodEnd = new(2026, 3, 31), CreatedAt = db.Time.GetUtcNow() };
            db.AddRange(inspection, new Finding
            {
                Inspection = inspection, UnitId = unit.Id, CategoryId = category.Id, Description = "专项：栏目空白",
                Requirement = "及时更新", Deadline = new(2026, 4, 30), CreatedAt = db.Time.GetUtcNow(),
            });
            await db.SaveChangesAsync();
            return inspection.Id;
        });
        var page = await app.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await PagesBrowserTests.SignInAsync(page, "auditor");
        await page.GotoAsync("/notices");
        await page.Locator($"#new-notice input[name=InspectionIds][value='{inspectionId}']").CheckAsync();
        await page.FillAsync("#new-notice #Number", "X政公办〔2026〕40号");
        await page.ClickAsync("#new-notice button[type=submit]");
        await page.WaitForPageAsync(new Regex(@"/notices/\d+$"));
        var noticeId = int.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        await page.ClickAsync("#issue");
        await Assertions.Expect(page.Locator(".notice[role=status]")).ToContainTextAsync("通报已印发");

        var anchor = await app.WithDbAsync(db => db.Set<Notice>().Where(n => n.Id == noticeId).Select(n => new { n.AuditHeadSequence, n.AuditHeadHash }).SingleAsync());
        await page.GotoAsync($"/api/notices/{noticeId}/notice.html");
        var footer = page.Locator("footer.audit-anchor");
        await Assertions.Expect(footer).ToContainTextAsync($"操作记录链共{anchor.AuditHeadSequence}条");
        await Assertions.Expect(footer.Locator("code")).ToHaveTextAsync(anchor.AuditHeadHash!);
        await BrowserApp.ShotAsync(page, "notice-page-audit-head");
        await page.SetViewportSizeAsync(390, 844);
        await Assertions.Expect(footer).ToBeVisibleAsync();
        await BrowserApp.ShotAsync(page, "notice-page-audit-head-390");
    }
}
