using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Mail.Outbox;
using Rectify.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Rectify.Mail.Tests;

/// <summary>Exactly-once delivery through a server outage, a restart, a crashed node's lease, and giving up visibly.</summary>
public sealed class ReliabilityTests
{
    private static MailRequest Assigned(int findingId) =>
        new("assigned", [new MailRecipient(RecipientKind.Liaison)], $"assigned:{findingId}", FindingId: findingId);

    [Fact]
    public async Task Smtp_server_down_for_a_while_then_up_delivers_every_message_exactly_once()
    {
        await using var smtp = await MailDevServer.StartNewAsync();
        await using var host = await MailHost.StartAsync(smtp.SmtpPort);
        var (_, findings) = await host.SeedAsync(1, "教育局", "科技局", "住交局");
        await host.EnqueueAsync(findings.Select(f => Assigned(f.Id)).ToArray());
        await smtp.StopAsync();

        // Down: every attempt is recorded, nothing is retried before its backoff (30 s, then 60 s).
        Assert.Equal(0, await host.Sender.SendDueAsync());
        Assert.All(await host.MessagesAsync(), m => Assert.Equal((OutboxStatus.Pending, 1), (m.Status, m.Attempts)));
        Assert.Equal(0, await host.Sender.SendDueAsync());
        Assert.Equal(3, (await host.AttemptsAsync()).Count);
        host.Database.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await host.Sender.SendDueAsync());
        var attempts = await host.AttemptsAsync();
        Assert.Equal(6, attempts.Count);
        Assert.All(attempts, a => Assert.False(a.Succeeded));
        Assert.All(attempts, a => Assert.False(string.IsNullOrEmpty(a.Error)));
        Assert.All(await host.MessagesAsync(), m => Assert.Equal(host.Database.Clock.GetUtcNow().AddSeconds(60), m.NextAttemptAt));

        // Up again: the next due run delivers each message once, and later runs send nothing more.
        await smtp.StartAsync();
        host.Database.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, await host.Sender.SendDueAsync());
        host.Database.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, await host.Sender.SendDueAsync());
        host.Database.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await host.Sender.SendDueAsync());

        var mails = await smtp.GetMessagesAsync();
        Assert.Equal(3, mails.Count);
        Assert.Equal(3, mails.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(3, mails.Select(m => m.To[0].Address).Distinct().Count());
        Assert.All(await host.MessagesAsync(), m => Assert.Equal((OutboxStatus.Sent, 3), (m.Status, m.Attempts)));
    }

    [Fact]
    public async Task A_restart_while_messages_are_pending_loses_none_and_duplicates_none()
    {
        await using var smtp = await MailDevServer.StartNewAsync();
        var directory = Path.Combine(Path.GetTempPath(), "rectify-tests", Guid.NewGuid().ToString("N"));
        var first = await MailHost.StartAsync(smtp.SmtpPort, new Dictionary<string, string?> { ["Mail:BatchSize"] = "2" }, directory);
        var (_, findings) = await first.SeedAsync(1, "教育局", "科技局", "住交局", "卫健委", "马塘街道");
        await first.EnqueueAsync(findings.Select(f => Assigned(f.Id)).ToArray());
        Assert.Equal(2, await first.Sender.SendDueAsync());
        // Another node crashed right after claiming one message (its lease runs 5 minutes).
        var crashed = (await first.MessagesAsync()).First(m => m.Status == OutboxStatus.Pending).Id;
        var leaseUntil = first.Database.Clock.GetUtcNow().AddMinutes(5);
        await first.Database.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.Id == crashed)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseOwner, "crashed-node").SetProperty(m => m.LeaseUntil, leaseUntil)));
        var now = first.Database.Clock.GetUtcNow();
        var sameDatabase = new Dictionary<string, string?>
        {
            ["Database:Provider"] = first.Database.Configuration["Database:Provider"],
            ["Database:ConnectionString"] = first.Database.Configuration["Database:ConnectionString"],
        };
        // The app stops: its service provider goes away, the database file stays.
        await first.Database.Services.DisposeAsync();

        await using var second = await MailHost.StartAsync(smtp.SmtpPort, sameDatabase, directory, now);
        Assert.Equal(2, await second.Sender.SendDueAsync());
        Assert.Equal(0, await second.Sender.SendDueAsync());
        second.Database.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await second.Sender.SendDueAsync());
        Assert.Equal(0, await second.Sender.SendDueAsync());

        var mails = await smtp.GetMessagesAsync();
        Assert.Equal(5, mails.Count);
        Assert.Equal(5, mails.Select(m => m.To[0].Address).Distinct().Count());
        Assert.Equal(5, mails.Select(m => m.MessageId).Distinct().Count());
        Assert.All(await second.MessagesAsync(), m => Assert.Equal((OutboxStatus.Sent, 1), (m.Status, m.Attempts)));
    }

    [Fact]
    public async Task After_the_give_up_period_a_message_is_marked_failed_and_listed_as_such()
    {
        await using var host = await MailHost.StartAsync(ClosedPort(), new Dictionary<string, string?> { ["Mail:GiveUpAfter"] = "00:10:00" });
        var (units, findings) = await host.SeedAsync(1, "马塘街道");
        await host.EnqueueAsync(Assigned(findings[0].Id));

        for (var i = 0; i < 20 && (await host.MessagesAsync())[0].Status == OutboxStatus.Pending; i++)
        {
            await host.Sender.SendDueAsync();
            host.Database.Clock.Advance(TimeSpan.FromMinutes(2));
        }

        var message = Assert.Single(await host.MessagesAsync());
        Assert.Equal(OutboxStatus.Failed, message.Status);
        Assert.InRange(message.Attempts, 3, 6);
        Assert.False(string.IsNullOrEmpty(message.LastError));
        Assert.Equal(message.Attempts, (await host.AttemptsAsync()).Count);
        await using var scope = host.Database.Scope(Sample.LiaisonOf(units[0].Id));
        var entry = Assert.Single(await scope.ServiceProvider.GetRequiredService<OutboxQueries>().ListAsync(Sample.LiaisonOf(units[0].Id)));
        Assert.Equal("失败", entry.StatusName);
        Assert.Equal(message.Attempts, entry.Attempts);
        // A failed message is not tried again.
        host.Database.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await host.Sender.SendDueAsync());
        Assert.Equal(message.Attempts, (await host.AttemptsAsync()).Count);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
