using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rectify.Auditing;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Mail.Outbox;
using Rectify.Reports;
using Rectify.Users;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// The auditor's bulk work on the ledger in real Chromium: three units report, the auditor accepts two and returns one
/// with one comment from /findings?status=Submitted, reminds a unit now; the finding page then tells its history and
/// its workflow in words; and every mail this flow queued, rendered from the outbox, fits a 390 px phone.
/// </summary>
public sealed class LedgerBulkBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string ReturnComment = "佐证截图看不清栏目名称，请重新截图。";

    [Fact]
    public async Task Auditor_reviews_three_reports_in_bulk_and_reads_history_and_workflow_in_words()
    {
        var submitted = await SubmitReportsAsync(3);
        var page = await app.NewPageAsync();
        await page.SetViewportSizeAsync(1366, 900);
        await PagesBrowserTests.SignInAsync(page, "auditor");
        await page.GotoAsync("/findings?status=Submitted");
        await Assertions.Expect(page.Locator("#bulk")).ToBeVisibleAsync();
        foreach (var id in submitted)
            await Assertions.Expect(page.Locator($"input[name=Ids][value='{id}']")).ToBeVisibleAsync();
        await BrowserApp.ShotAsync(page, "50-auditor-ledger-bulk-1366");

        // Accept two: ticked in the table, one click.
        await page.CheckAsync($"input[name=Ids][value='{submitted[0]}']");
        await page.CheckAsync($"input[name=Ids][value='{submitted[1]}']");
        await Assertions.Expect(page.Locator("#bulk-count")).ToHaveTextAsync("已选择 2 个问题");
        await page.ClickAsync("#bulk-accept");
        await Assertions.Expect(page.Locator("#bulk-result")).ToContainTextAsync("批量通过整改报告：完成 2 项。");
        // The list is reloaded on the same filter: the two accepted findings have left it.
        await Assertions.Expect(page.Locator($"input[name=Ids][value='{submitted[0]}']")).ToHaveCountAsync(0);
        await BrowserApp.ShotAsync(page, "51-auditor-ledger-bulk-accepted");

        // A return without a comment is refused as a whole, beside the form; with one it goes through.
        await page.CheckAsync($"input[name=Ids][value='{submitted[2]}']");
        await page.ClickAsync("#bulk-return");
        await Assertions.Expect(page.Locator("#bulk .error")).ToContainTextAsync("退回时请填写退回意见");
        await page.CheckAsync($"input[name=Ids][value='{submitted[2]}']");
        await page.FillAsync("#BulkComment", ReturnComment);
        await page.ClickAsync("#bulk-return");
        await Assertions.Expect(page.Locator("#bulk-result")).ToContainTextAsync("批量退回整改报告：完成 1 项。");
        Assert.Equal([FindingStatus.Accepted, FindingStatus.Accepted, FindingStatus.Returned], await StatusesAsync(submitted));

        // 一键催办 on the returned finding: done once, refused (with the reason) when repeated the same day.
        await page.GotoAsync("/findings?status=Returned");
        await page.CheckAsync($"input[name=Ids][value='{submitted[2]}']");
        await page.ClickAsync("#bulk-remind");
        await Assertions.Expect(page.Locator("#bulk-result")).ToContainTextAsync("一键催办：完成 1 项。");
        await page.CheckAsync($"input[name=Ids][value='{submitted[2]}']");
        await page.ClickAsync("#bulk-remind");
        await Assertions.Expect(page.Locator("#bulk-result li.refused")).ToContainTextAsync("今天已催办过");

        // Its deadline moved with a reason, through the one deadline rule; a date in the past is refused as a whole.
        var deadline = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == submitted[2]).Select(f => f.Deadline).SingleAsync());
        var moved = deadline.AddDays(7);
        await page.CheckAsync($"input[name=Ids][value='{submitted[2]}']");
        await page.ClickAsync("#bulk-deadline summary");
        await page.FillAsync("#BulkDeadline", "2026-01-05");
        await page.FillAsync("#BulkReason", "栏目改版，统一顺延。");
        await page.ClickAsync("#bulk-move");
        await Assertions.Expect(page.Locator("#bulk .error")).ToContainTextAsync("早于今天");
        await Assertions.Expect(page.Locator("#BulkReason")).ToHaveValueAsync("栏目改版，统一顺延。");
        await page.CheckAsync($"input[name=Ids][value='{submitted[2]}']");
        await page.FillAsync("#BulkDeadline", moved.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.ClickAsync("#bulk-move");
        await Assertions.Expect(page.Locator("#bulk-result")).ToContainTextAsync("批量调整整改期限：完成 1 项。");
        Assert.Equal(moved, await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == submitted[2]).Select(f => f.Deadline).SingleAsync()));

        // The returned finding's history and workflow, in words.
        await page.GotoAsync($"/findings/{submitted[2]}");
        var history = page.Locator("#history");
        await Assertions.Expect(history).ToContainTextAsync(new Regex(@"张审核 \d{1,2}月\d{1,2}日 \d\d:\d\d 退回整改报告：" + Regex.Escape(ReturnComment)));
        await Assertions.Expect(history).ToContainTextAsync("状态：已提交 → 退回");
        await Assertions.Expect(history).ToContainTextAsync($"调整整改期限：栏目改版，统一顺延。");
        await Assertions.Expect(history).ToContainTextAsync($"整改期限：{deadline.Month}月{deadline.Day}日 → {moved.Month}月{moved.Day}日");
        await Assertions.Expect(history.Locator("details")).ToHaveCountAsync(0);
        foreach (var raw in new[] { "\"Status\"", "Returned", "T0", "Z\"" })
            await Assertions.Expect(history).Not.ToContainTextAsync(raw);

        var workflow = page.Locator("#workflow");
        await Assertions.Expect(page.Locator("#workflow-position")).ToContainTextAsync($"报告已退回，等待重新提交，期限{moved.Month}月{moved.Day}日");
        await Assertions.Expect(page.Locator("#workflow-run")).ToContainTextAsync(new Regex(@"问题整改（默认流程） · 第\d+版 · 进行中"));
        await Assertions.Expect(page.Locator("#workflow-done")).ToContainTextAsync("交办责任单位");
        await Assertions.Expect(page.Locator("#workflow-ahead li")).ToHaveTextAsync([new Regex("催办：期限前3个工作日"), new Regex("催办：期限前1个工作日"), new Regex("期限届满：")]);
        await Assertions.Expect(workflow).Not.ToContainTextAsync("当前");
        await Assertions.Expect(workflow).Not.ToContainTextAsync("rectification");
        await Assertions.Expect(page.Locator("#workflow-viewer")).Not.ToContainTextAsync("rectification");
        await BrowserApp.ShotAsync(page, "52-auditor-finding-history-words-1366");
        await page.SetViewportSizeAsync(390, 844);
        await BrowserApp.ShotAsync(page, "53-auditor-finding-history-words-390");
        await page.GotoAsync("/findings?status=Returned");
        await BrowserApp.ShotAsync(page, "54-auditor-ledger-bulk-390");

        // A supervisor still reads the raw change.
        var supervisor = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(supervisor, "supervisor");
        await supervisor.GotoAsync($"/findings/{submitted[2]}");
        await supervisor.ClickAsync("#history details >> nth=-1");
        await Assertions.Expect(supervisor.Locator("#history")).ToContainTextAsync("\"Status\":\"Returned\"");

        await QueueTheOtherMailsAsync(submitted[2]);
        await MailsFitAPhoneAsync(page);
        await page.Context.CloseAsync();
        await supervisor.Context.CloseAsync();
    }

    /// <summary>
    /// The mails the bulk flow does not cause: a unit asks for an extension and is granted it (extension-decided), a
    /// notice is issued (notice-unit), and the finding is escalated to its unit's head and liaison as the workflow's
    /// escalation step queues it (overdue; reaching the deadline is the workflow tests' business).
    /// </summary>
    private async Task QueueTheOtherMailsAsync(int returnedId)
    {
        var jyj = await app.ClientAsync("jyj");
        var auditor = await app.ClientAsync("auditor");
        var assigned = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Unit!.Name == "教育局" && f.Status == FindingStatus.Assigned)
            .OrderBy(f => f.Id).Select(f => new { f.Id, f.Deadline }).FirstAsync());
        var asked = await WebFixture.JsonAsync(await WebFixture.PostJson(jyj, $"/api/findings/{assigned.Id}/extensions",
            new { newDeadline = assigned.Deadline.AddDays(10), reason = "栏目改版需上级审定。" }), System.Net.HttpStatusCode.OK);
        await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, $"/api/findings/{assigned.Id}/extensions/{asked.GetProperty("id").GetInt32()}/decision",
            new { approve = true, comment = "同意。" }), System.Net.HttpStatusCode.OK);

        var inspectionId = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Status == FindingStatus.Draft).Select(f => f.InspectionId).FirstAsync());
        var created = await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, "/api/notices", new
        {
            title = "关于2026年2月政务公开工作检查情况的通报", number = "X政公办〔2026〕41号", office = "区政务公开办", addressees = "区政府各部门",
            date = new DateOnly(2026, 3, 2), periodStart = new DateOnly(2026, 2, 1), periodEnd = new DateOnly(2026, 2, 28), inspectionIds = new[] { inspectionId },
        }), System.Net.HttpStatusCode.Created);
        await WebFixture.JsonAsync(await auditor.PostAsync($"/api/notices/{created.GetProperty("id").GetInt32()}/issue", null), System.Net.HttpStatusCode.OK);

        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMailOutbox>().EnqueueAsync(new MailRequest("overdue",
            [new MailRecipient(RecipientKind.Leader), new MailRecipient(RecipientKind.Liaison)], $"overdue:{returnedId}:test", returnedId));
        await scope.ServiceProvider.GetRequiredService<Rectify.Data.RectifyDb>().SaveChangesAsync();
    }

    /// <summary>
    /// Every template the flow queued, and a digest, rendered from the outbox rows as the sender renders them, at
    /// 390 px: no horizontal scroll, links with words, one link per action; the unit head's mail has no link at all.
    /// </summary>
    private async Task MailsFitAPhoneAsync(IPage page)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Rectify.Data.RectifyDb>();
        var composer = scope.ServiceProvider.GetRequiredService<MailComposer>();
        var rows = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.ModelJson != null).OrderBy(m => m.Id).ToListAsync();
        var mails = rows.GroupBy(m => (m.Template, m.RecipientKind)).Select(g => g.Last()).ToList();
        Assert.Superset(new HashSet<string> { "assigned", "report-submitted", "report-accepted", "report-returned", "deadline-changed", "reminder",
            "extension-decided", "notice-unit", "overdue" }, mails.Select(m => m.Template).ToHashSet());
        Assert.Contains(mails, m => m.Template == "overdue" && m.RecipientKind == RecipientKind.Leader);
        var html = new List<(string Name, string Html)>();
        foreach (var mail in mails)
        {
            composer.Render(mail);
            html.Add(($"{mail.Template}-{mail.RecipientKind.ToString().ToLowerInvariant()}", mail.HtmlBody!));
        }
        var digest = await composer.ComposeAsync(rows.Where(m => m.Template == "assigned").Take(3).ToList());
        html.Add(("digest", digest.HtmlBody!));

        await page.SetViewportSizeAsync(390, 844);
        foreach (var (name, body) in html)
        {
            Assert.DoesNotContain("。；", body);
            Assert.DoesNotContain("。。", body);
            await page.SetContentAsync(body);
            var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{name}: {overflow} px wider than the phone");
            // Links carry words, never the bare address, and each goes somewhere else (one link per action).
            var links = await page.Locator("a").AllInnerTextsAsync();
            Assert.All(links, text => Assert.DoesNotMatch("^https?://", text));
            var targets = await page.Locator("a").EvaluateAllAsync<string[]>("links => links.map(a => a.href)");
            Assert.Equal(targets.Length, targets.Distinct().Count());
            if (name.EndsWith("-leader", StringComparison.Ordinal))
                Assert.Empty(targets);
            await BrowserApp.ShotAsync(page, $"55-mail-{name}-390");
        }
    }

    /// <summary>Reports on the first <paramref name="count"/> assigned findings of different units, each by its unit's liaison.</summary>
    private async Task<int[]> SubmitReportsAsync(int count)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Rectify.Data.RectifyDb>();
        var liaisons = await db.Users.Where(u => u.Role == UserRole.UnitLiaison && u.IsActive).ToListAsync();
        var findings = (await db.Set<Finding>().Where(f => f.Status == FindingStatus.Assigned).OrderByDescending(f => f.Id).ToListAsync())
            .Where(f => liaisons.Any(l => l.UnitId == f.UnitId)).DistinctBy(f => f.UnitId).Take(count).ToList();
        Assert.Equal(count, findings.Count);
        foreach (var finding in findings)
        {
            var liaison = liaisons.First(l => l.UnitId == finding.UnitId);
            await using var unitScope = app.Services.CreateAsyncScope();
            var actor = new Actor(liaison.Id, liaison.DisplayName, UserRole.UnitLiaison, liaison.UnitId);
            unitScope.ServiceProvider.GetRequiredService<ActorContext>().Actor = actor;
            await unitScope.ServiceProvider.GetRequiredService<ReportService>()
                .SubmitAsync(finding.Id, new ReportForm("已在栏目中补充公开相关信息。", true, []), [], actor);
        }
        return findings.Select(f => f.Id).ToArray();
    }

    private Task<List<FindingStatus>> StatusesAsync(int[] ids) => app.WithDbAsync(async db =>
    {
        var statuses = await db.Set<Finding>().Where(f => ids.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.Status);
        return ids.Select(id => statuses[id]).ToList();
    });
}
