using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Rectify.Findings;
using Xunit;

namespace Rectify.Mail.Tests;

/// <summary>A queued mail's view model shows the finding's unit, category and inspection however the caller loaded the finding.</summary>
public sealed class QueuedModelTests
{
    private static MailRequest Reminder(int findingId, string key) =>
        new("reminder", [new MailRecipient(RecipientKind.Liaison)], $"{key}:{findingId}", findingId);

    [Fact]
    public async Task A_finding_the_caller_does_not_track_is_read_with_its_unit_category_and_inspection()
    {
        await using var host = await MailHost.StartAsync(null);
        var (_, findings) = await host.SeedAsync(2, "教育局");
        await host.EnqueueAsync(Reminder(findings[0].Id, "a"), Reminder(findings[1].Id, "a"));
        var messages = await host.MessagesAsync();
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Contains("\"Unit\":\"教育局\",\"Category\":\"主动公开\",\"Inspection\":\"2026年2月政务公开第三方检查\"", m.ModelJson));
    }

    [Fact]
    public async Task A_tracked_finding_without_its_references_gets_them_once_for_every_mail_of_the_save()
    {
        await using var host = await MailHost.StartAsync(null);
        var (_, findings) = await host.SeedAsync(1, "教育局");
        await using (var scope = host.Database.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            var finding = await db.Set<Finding>().FindAsync(findings[0].Id);
            Assert.Null(finding!.Category);
            var outbox = scope.ServiceProvider.GetRequiredService<IMailOutbox>();
            await outbox.EnqueueAsync(Reminder(finding.Id, "a"));
            await outbox.EnqueueAsync(Reminder(finding.Id, "b"));
            Assert.Equal("主动公开", finding.Category?.Name);
            Assert.Equal("2026年2月政务公开第三方检查", finding.Inspection?.Title);
            Assert.True(db.Entry(finding).Reference(f => f.Category).IsLoaded);
            Assert.True(db.Entry(finding).Collection(f => f.Reports).IsLoaded);
            Assert.True(db.Entry(finding).Collection(f => f.ExtensionRequests).IsLoaded);
            await db.SaveChangesAsync();
        }
        var messages = await host.MessagesAsync();
        Assert.Equal(["a:" + findings[0].Id, "b:" + findings[0].Id], messages.Select(m => m.DeduplicationKey));
        Assert.All(messages, m => Assert.Contains("\"Category\":\"主动公开\",\"Inspection\":\"2026年2月政务公开第三方检查\"", m.ModelJson));
    }

    [Fact]
    public async Task A_mail_an_earlier_save_queued_is_left_out_and_the_save_still_writes_its_other_mails()
    {
        await using var host = await MailHost.StartAsync(null);
        var (_, findings) = await host.SeedAsync(1, "教育局");
        await host.EnqueueAsync(Reminder(findings[0].Id, "a"));
        // A retry of the first save's work beside a new mail: the stored one is not written again, nothing fails.
        await host.EnqueueAsync(Reminder(findings[0].Id, "a"), Reminder(findings[0].Id, "b"));
        var messages = await host.MessagesAsync();
        Assert.Equal(["a:" + findings[0].Id, "b:" + findings[0].Id], messages.Select(m => m.DeduplicationKey));
    }

    [Fact]
    public async Task Databases_of_two_providers_in_one_process_both_queue_their_mails()
    {
        // On the PostgreSQL pass the second is a SQLite file: another model, which its queries are compiled for anew.
        await using var first = await MailHost.StartAsync(null);
        await using var second = await MailHost.StartAsync(null, new Dictionary<string, string?> { ["Database:Provider"] = "Sqlite", ["Database:ConnectionString"] = "" });
        var findingIds = new Dictionary<MailHost, int>();
        foreach (var host in new[] { first, second })
            findingIds[host] = (await host.SeedAsync(1, "教育局")).Findings[0].Id;
        foreach (var (host, key) in new[] { (first, "a"), (second, "a"), (first, "b") })
        {
            await host.EnqueueAsync(Reminder(findingIds[host], key));
            Assert.Contains("\"Category\":\"主动公开\"", (await host.MessagesAsync()).Last().ModelJson);
        }
    }
}
