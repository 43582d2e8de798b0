using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rectify.Findings;
using Rectify.Notices;
using Rectify.Testing;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// In Chromium: a notice left 印发中 by a stopped process shows the auditor how far it got, and 继续印发 finishes it
/// and shows the result.
/// </summary>
public sealed class NoticeIssuingBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task A_notice_being_issued_shows_its_progress_and_continuing_shows_it_issued()
    {
        var id = await app.WithDbAsync(async db =>
        {
            var inspection = await db.Set<Finding>().Where(f => f.Status == FindingStatus.Draft).Select(f => f.InspectionId).FirstAsync();
            await using var scope = app.Services.CreateAsyncScope();
            var notices = scope.ServiceProvider.GetRequiredService<NoticeService>();
            var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
            var notice = await notices.CreateDraftAsync(notices.NewDraft([inspection], today.AddDays(-27), today, "区政务公开办") with { Number = "X政公办〔2026〕77号", Date = today }, Sample.Auditor);
            // As a process stopped after 100 of 250 findings leaves it (the findings' own chunks are ChunkedIssueTests' part).
            var stored = await db.Set<Notice>().SingleAsync(n => n.Id == notice.Id);
            stored.Status = NoticeStatus.Issuing;
            db.Add(new IssueStaging { Id = IssueStaging.NewId(), Kind = IssueStagingKind.Notice, NoticeId = notice.Id, Total = 250, Done = 100,
                ActorId = Sample.Auditor.Id, ActorName = Sample.Auditor.Name, StartedAt = app.Clock.GetUtcNow() });
            await db.SaveChangesAsync();
            return notice.Id;
        });
        var page = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(page, "auditor");
        await page.GotoAsync($"/notices/{id}");
        await Assertions.Expect(page.Locator("#issue-progress")).ToContainTextAsync("已向责任单位下发 100 / 250 个问题");
        await Assertions.Expect(page.Locator("h1 .badge")).ToHaveTextAsync("印发中");
        await Assertions.Expect(page.Locator("#issue")).ToHaveCountAsync(0);
        await BrowserApp.ShotAsync(page, "notice-issuing-progress");

        await page.ClickAsync("#issue-resume");
        await Assertions.Expect(page.Locator(".notice[role=status]")).ToContainTextAsync("通报已印发");
        await Assertions.Expect(page.Locator("h1 .badge")).ToHaveTextAsync("已印发");
        await BrowserApp.ShotAsync(page, "notice-issuing-done");
    }
}
