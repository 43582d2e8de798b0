using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Rectify.Mail.Outbox;
using Rectify.Testing;
using Xunit;

namespace Rectify.Mail.Tests;

/// <summary>The embedded default: no SMTP server, messages become .eml files and are listed per role.</summary>
public sealed class OutboxListTests
{
    [Fact]
    public async Task Without_smtp_messages_are_written_as_eml_files_and_listed_to_whom_they_concern()
    {
        await using var host = await MailHost.StartAsync(null);
        var (units, findings) = await host.SeedAsync(1, "教育局", "科技局");
        await host.EnqueueAsync(findings.Select(f =>
            new MailRequest("assigned", [new MailRecipient(RecipientKind.Liaison)], $"assigned:{f.Id}", FindingId: f.Id)).ToArray());
        await host.EnqueueAsync(new MailRequest("overdue", [new MailRecipient(RecipientKind.Address, "duban@rectify.test")], "overdue:x", FindingId: findings[0].Id));

        Assert.Equal(3, await host.Sender.SendDueAsync());

        var files = Directory.GetFiles(Path.Combine(host.Database.Directory, "outbox"), "*.eml").Order().ToList();
        Assert.Equal(3, files.Count);
        var first = await MimeMessage.LoadAsync(files[0]);
        Assert.Equal("【整改通知】教育局：主动公开问题请于2026年3月10日前整改", first.Subject);
        Assert.Contains("教育局第1项问题", first.TextBody);
        Assert.Contains("教育局第1项问题", first.HtmlBody);

        await using var scope = host.Database.Scope();
        var queries = scope.ServiceProvider.GetRequiredService<OutboxQueries>();
        var all = await queries.ListAsync(Sample.Auditor);
        Assert.Equal(3, all.Count);
        Assert.All(all, e => Assert.Equal(("已发送", 1), (e.StatusName, e.Attempts)));
        Assert.Equal(3, (await queries.ListAsync(Sample.Supervisor)).Count);
        var own = Assert.Single(await queries.ListAsync(Sample.LiaisonOf(units[1].Id)));
        Assert.Equal(units[1].Liaison.Email, own.RecipientAddress);

        var (name, content) = await queries.EmlAsync(own.Id, Sample.LiaisonOf(units[1].Id));
        Assert.EndsWith(".eml", name);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(host.Database.Directory, "outbox", name)), content);
        var error = await Assert.ThrowsAsync<RectifyException>(() => queries.EmlAsync(own.Id, Sample.LiaisonOf(units[0].Id)));
        Assert.Equal(RectifyErrorKind.NotFound, error.Kind);
    }
}
