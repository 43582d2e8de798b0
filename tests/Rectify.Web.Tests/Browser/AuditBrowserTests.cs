using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Rectify.Auditing;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>/audit in Chromium: a supervisor checks the demo office's trail, then finds the entry changed in the database.</summary>
public sealed class AuditBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task A_supervisor_checks_the_trail_and_sees_the_entry_changed_in_the_database_named()
    {
        var page = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(page, "supervisor");
        await page.ClickAsync("nav a[href='/audit']");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("操作记录核验");
        var head = await app.WithDbAsync(db => AuditChain.HeadAsync(db));
        await Assertions.Expect(page.Locator("#head-hash")).ToHaveTextAsync(head!.Hash);

        await page.ClickAsync("form button[type=submit]:has-text('核验全部记录')");
        await Assertions.Expect(page.Locator("#verdict")).ToContainTextAsync($"记录链完整：{head.Sequence:N0} 条记录均未被改动");
        await BrowserApp.ShotAsync(page, "audit-intact");

        // Someone with database access rewrites who did something.
        var victim = await app.WithDbAsync(db => db.Set<AuditEvent>().AsNoTracking().SingleAsync(e => e.Sequence == 5));
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE \"AuditEvent\" SET \"ActorName\" = {0} WHERE \"Id\" = {1}", "他人", victim.Id));

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#verdict")).ToContainTextAsync($"记录链已被改动。第5条记录（编号{victim.Id}）的内容与其哈希不符");
        var row = page.Locator("#first-break tbody tr");
        await Assertions.Expect(row.Locator("td").Nth(1)).ToHaveTextAsync(victim.Id.ToString());
        await Assertions.Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("他人");
        await Assertions.Expect(row.Locator("td").Nth(4)).ToHaveTextAsync(victim.Action);
        await BrowserApp.ShotAsync(page, "audit-broken");

        await page.ClickAsync("a[lang=en]");
        await Assertions.Expect(page.Locator("#verdict")).ToContainTextAsync($"The trail was tampered with. Entry {victim.Id} (sequence 5)");
        await BrowserApp.ShotAsync(page, "audit-broken-en");
    }
}
