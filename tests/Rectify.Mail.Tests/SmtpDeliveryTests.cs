using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rectify.Mail.Outbox;
using Rectify.Testing;
using Xunit;

namespace Rectify.Mail.Tests;

/// <summary>One MailDev for the tests that only read what arrived; each test empties it first.</summary>
public sealed class MailDevFixture : IAsyncLifetime
{
    public MailDevServer Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await MailDevServer.StartNewAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition("maildev")]
public sealed class MailDevCollection : ICollectionFixture<MailDevFixture>;

[Collection("maildev")]
public sealed class SmtpDeliveryTests(MailDevFixture fixture)
{
    private readonly MailDevServer _smtp = fixture.Server;

    [Fact]
    public async Task Assigned_mail_arrives_with_recipient_subject_chinese_body_both_parts_and_working_links()
    {
        await _smtp.DeleteAllAsync();
        await using var host = await MailHost.StartAsync(_smtp.SmtpPort);
        var (units, findings) = await host.SeedAsync(1, "教育局");
        var finding = findings[0];
        await host.EnqueueAsync(new MailRequest("assigned", [new MailRecipient(RecipientKind.Liaison)], $"assigned:{finding.Id}", FindingId: finding.Id));

        Assert.Equal(1, await host.Sender.SendDueAsync());

        var mail = Assert.Single(await _smtp.GetMessagesAsync());
        Assert.Equal(units[0].Liaison.Email, Assert.Single(mail.To).Address);
        Assert.Equal("zwgk@rectify.test", Assert.Single(mail.From).Address);
        Assert.Equal("【整改通知】教育局：主动公开问题请于2026年3月10日前整改", mail.Subject);
        // Both parts, in UTF-8 Chinese, with the finding's own text and the deadline in the office's calendar.
        Assert.Contains("教育局第1项问题：招生计划目录本年度未更新", mail.Text);
        Assert.Contains("于2026年3月10日前完成整改", mail.Text);
        Assert.Contains("教育局第1项问题：招生计划目录本年度未更新", mail.Html);
        Assert.Contains("<strong>2026年3月10日</strong>", mail.Html);
        // Links: exactly the base URL + an existing page route (/findings/{id}, and /my for a liaison).
        var findingUrl = $"{MailHost.BaseUrl}/findings/{finding.Id}";
        // One link per action, as a button with words: the address itself is not repeated beside it.
        Assert.Matches($"<a href=\"{Regex.Escape(findingUrl)}\" style=\"[^\"]+\">查看问题并提交整改报告</a>", mail.Html);
        Assert.Matches($"<a href=\"{Regex.Escape(MailHost.BaseUrl)}/my\" style=\"[^\"]+\">查看本单位全部整改事项</a>", mail.Html);
        Assert.DoesNotContain($">{findingUrl}<", mail.Html);
        Assert.Contains(findingUrl, mail.Text);
        var links = Regex.Matches(mail.Html!, "href=\"([^\"]+)\"").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.All(links, l => Assert.Matches(@"^http://rectify\.test:5080/(findings/\d+|my)$", l));
        Assert.Matches(@"^rectify\.outbox\.\d+\.\d+@rectify\.test$", mail.MessageId!.Trim('<', '>'));

        var stored = Assert.Single(await host.MessagesAsync());
        Assert.Equal(OutboxStatus.Sent, stored.Status);
        Assert.Equal(1, stored.Attempts);
        Assert.True(Assert.Single(await host.AttemptsAsync()).Succeeded);
        // Nothing is due any more: a second run sends nothing.
        Assert.Equal(0, await host.Sender.SendDueAsync());
        Assert.Single(await _smtp.GetMessagesAsync());
    }

    [Fact]
    public async Task Twelve_reminders_to_one_liaison_at_one_moment_go_out_as_one_digest_listing_the_twelve()
    {
        await _smtp.DeleteAllAsync();
        await using var host = await MailHost.StartAsync(_smtp.SmtpPort);
        var (units, all) = await host.SeedAsync(12, "科技局", "住交局");
        var findings = all.Where(f => f.UnitId == units[0].Id).ToList();
        var other = all.First(f => f.UnitId == units[1].Id);
        // One workflow run at 09:00: twelve reminders for one unit, one for another unit, all in one transaction.
        await host.EnqueueAsync(findings.Append(other)
            .Select(f => new MailRequest("reminder", [new MailRecipient(RecipientKind.Liaison)], $"reminder:{f.Id}:2026-03-02", FindingId: f.Id))
            .ToArray());

        Assert.Equal(2, await host.Sender.SendDueAsync());

        var mails = await _smtp.GetMessagesAsync();
        Assert.Equal(2, mails.Count);
        var digest = Assert.Single(mails, m => m.To[0].Address == units[0].Liaison.Email);
        Assert.Equal("【区政务公开办】2026年3月2日整改事项汇总（共12项）", digest.Subject);
        foreach (var f in findings)
        {
            Assert.Contains(f.Description + "；", digest.Text);
            Assert.Contains($"{MailHost.BaseUrl}/findings/{f.Id}\n", digest.Text);
            Assert.Matches($"<a href=\"{Regex.Escape(MailHost.BaseUrl)}/findings/{f.Id}\" style=\"[^\"]+\">查看问题 #{f.Id}</a>", digest.Html);
        }
        Assert.Equal(12, Regex.Count(digest.Text!, @"^\d+\. 【催办】", RegexOptions.Multiline));
        // The other unit's single reminder is its own mail, not a digest.
        var single = Assert.Single(mails, m => m.To[0].Address != units[0].Liaison.Email);
        Assert.StartsWith("【催办】住交局", single.Subject);

        var stored = await host.MessagesAsync();
        Assert.All(stored, m => Assert.Equal(OutboxStatus.Sent, m.Status));
        Assert.Single(stored.Where(m => m.RecipientAddress == units[0].Liaison.Email).Select(m => m.BatchId).Distinct());
    }

    [Fact]
    public async Task An_overdue_mail_to_the_unit_head_carries_the_finding_and_no_sign_in_link()
    {
        await _smtp.DeleteAllAsync();
        await using var host = await MailHost.StartAsync(_smtp.SmtpPort);
        var (units, findings) = await host.SeedAsync(1, "卫健委");
        var finding = findings[0];
        await host.EnqueueAsync(new MailRequest("overdue", [new MailRecipient(RecipientKind.Leader), new MailRecipient(RecipientKind.Liaison)],
            $"overdue:{finding.Id}", FindingId: finding.Id));

        Assert.Equal(2, await host.Sender.SendDueAsync());

        var mails = await _smtp.GetMessagesAsync();
        // The head (责任人) has no account: the content itself, no link into the system in either part.
        var head = Assert.Single(mails, m => m.To[0].Address == units[0].Leader.Email);
        Assert.Contains(finding.Description, head.Html);
        Assert.Contains(finding.Description, head.Text);
        Assert.DoesNotContain("href=", head.Html);
        Assert.DoesNotContain(MailHost.BaseUrl, head.Text);
        Assert.Contains("由你单位联络人在整改督办系统中办理", head.Html);
        // The liaison signs in: one button to the finding.
        var liaison = Assert.Single(mails, m => m.To[0].Address == units[0].Liaison.Email);
        Assert.Matches($"<a href=\"{Regex.Escape(MailHost.BaseUrl)}/findings/{finding.Id}\" style=\"[^\"]+\">查看问题</a>", liaison.Html);
    }

    [Fact]
    public async Task A_repeated_enqueue_with_the_same_key_is_ignored()
    {
        await using var host = await MailHost.StartAsync(_smtp.SmtpPort);
        var (_, findings) = await host.SeedAsync(1, "卫健委");
        var request = new MailRequest("overdue", [new MailRecipient(RecipientKind.Leader), new MailRecipient(RecipientKind.Liaison)], $"overdue:{findings[0].Id}", FindingId: findings[0].Id);
        await host.EnqueueAsync(request, request);
        await host.EnqueueAsync(request);
        Assert.Equal(2, (await host.MessagesAsync()).Count);
    }
}
