using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rectify.Mail;
using Rectify.Mail.Outbox;
using Rectify.Testing;
using Rectify.Workflows;
using Rectify.Workflows.Timers;
using System.Globalization;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>The browser app sending its mail to a MailDev server on loopback, one message per mail (no digests).</summary>
public sealed class MailBrowserApp : BrowserApp
{
    public MailDevServer Smtp { get; private set; } = null!;

    protected override async Task BeforeStartAsync() => Smtp = await MailDevServer.StartNewAsync();

    protected override async Task AfterStopAsync() => await Smtp.DisposeAsync();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Mail:Smtp:Host"] = "127.0.0.1",
        ["Mail:Smtp:Port"] = Smtp.SmtpPort.ToString(CultureInfo.InvariantCulture),
        ["Mail:Smtp:Security"] = "None",
        ["Mail:Digest"] = "false",
    };
}

/// <summary>/templates in Chromium: a supervisor edits the reminder, previews, saves, and the next reminder carries it.</summary>
public sealed class TemplatesBrowserTests(MailBrowserApp app) : IClassFixture<MailBrowserApp>
{
    private const string NewWording = "【整改提醒·新版】";

    [Fact]
    public async Task A_supervisor_edits_the_reminder_and_the_next_reminder_mail_carries_the_new_wording()
    {
        var page = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(page, "supervisor");
        await page.GotoAsync("/templates?t=mail/reminder");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("邮件与通报模板");
        await Assertions.Expect(page.Locator("#preview-subject")).ToContainTextAsync("【催办】");
        await Assertions.Expect(page.FrameLocator("#preview-html").Locator("body")).ToContainTextAsync("整改期限");
        await BrowserApp.ShotAsync(page, "templates-reminder");

        // A broken edit: the error names the part, line and column while typing, and saving is refused.
        var html = await page.InputValueAsync("#part-html");
        await page.FillAsync("#part-html", "<p>{{ recipient.name }}</p>\n<p>{% if finding.is_overdue %}逾期</p>");
        await Assertions.Expect(page.Locator("#errors")).ToContainTextAsync("HTML 第 2 行第 7 列");
        await BrowserApp.ShotAsync(page, "templates-reminder-error");
        await page.ClickAsync("#template-form button[type=submit]");
        await Assertions.Expect(page.Locator("#save-error")).ToContainTextAsync("模板有错误，未保存：HTML 第 2 行第 7 列");
        await BrowserApp.ShotAsync(page, "templates-reminder-refused");
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<Rectify.Templating.TemplateVersion>().CountAsync()));

        // A good edit: the preview follows the typing; saving makes version 1, in use.
        await page.FillAsync("#part-html", html);
        var subject = await page.InputValueAsync("#part-subject");
        Assert.Contains("【催办】", subject);
        await page.FillAsync("#part-subject", subject.Replace("【催办】", NewWording));
        await Assertions.Expect(page.Locator("#preview-subject")).ToContainTextAsync(NewWording);
        await Assertions.Expect(page.Locator("#errors")).ToBeHiddenAsync();
        await BrowserApp.ShotAsync(page, "templates-reminder-preview");
        await page.ClickAsync("#template-form button[type=submit]");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("已保存为第");
        await Assertions.Expect(page.Locator("table")).ToContainTextAsync("使用中");
        await BrowserApp.ShotAsync(page, "templates-reminder-saved");

        // The notice templates are edited the same way, one HTML part each (before the clock moves past the sign-in).
        await page.GotoAsync("/templates?t=notice/notice");
        await Assertions.Expect(page.Locator("#template-form h2")).ToContainTextAsync("通报正文");
        await Assertions.Expect(page.Locator("#part-subject")).ToHaveCountAsync(0);
        await BrowserApp.ShotAsync(page, "templates-notice");

        // The next reminder: move the clock to the first reminder timer, fire it and send what is due.
        var reminders = await NextRemindersAsync();
        Assert.NotEmpty(reminders);
        Assert.All(reminders, m => Assert.StartsWith(NewWording, m.Subject));
        Assert.All(reminders, m => Assert.Contains("个工作日（", m.Subject));
        Assert.Contains(reminders, m => m.To.Any(t => t.Address.Length > 0));
    }

    private async Task<List<MailDevMessage>> NextRemindersAsync()
    {
        var dispatcher = app.Services.GetRequiredService<TimerDispatcher>();
        var sender = app.Services.GetRequiredService<MailSender>();
        for (var step = 0; step < 20; step++)
        {
            var next = await app.WithDbAsync(db => db.Set<Rectify.Workflows.WorkflowTimer>().MinAsync(t => (DateTimeOffset?)t.DueAt));
            Assert.NotNull(next);
            if (next > app.Clock.GetUtcNow())
                app.Clock.SetUtcNow(next.Value);
            await dispatcher.FireDueAsync();
            if (await app.WithDbAsync(db => db.Set<OutboxMessage>().AnyAsync(m => m.Template == "reminder")))
                break;
        }
        await sender.SendDueAsync();
        // The reminder's subject is the only one with "：问题整改" (then the working days left: 剩余3个工作日（…）).
        return (await app.Smtp.GetMessagesAsync()).Where(m => m.Subject.Contains("：问题整改")).ToList();
    }
}
