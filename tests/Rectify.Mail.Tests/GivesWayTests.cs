using Xunit;

namespace Rectify.Mail.Tests;

/// <summary>A fallback message (<see cref="MailRequest.GivesWay"/>) is dropped for another one of the same save to the same address about the same finding.</summary>
public sealed class GivesWayTests
{
    private static MailRequest Fallback(int findingId) => new("deadline-changed", [new MailRecipient(RecipientKind.Liaison)], $"deadline:{findingId}", findingId,
        Values: new Dictionary<string, string> { ["previous_deadline"] = "2026年3月13日", ["comment"] = "不该覆盖" }, GivesWay: true);

    private static MailRequest Other(string template, int findingId, MailRecipient? to = null) =>
        new(template, [to ?? new MailRecipient(RecipientKind.Liaison)], $"{template}:{findingId}", findingId, Values: new Dictionary<string, string> { ["comment"] = "原有的值" });

    [Fact]
    public async Task Alone_it_is_queued()
    {
        await using var host = await MailHost.StartAsync(null);
        var (_, findings) = await host.SeedAsync(1, "教育局");
        await host.EnqueueAsync(Fallback(findings[0].Id));
        Assert.Equal("deadline-changed", Assert.Single(await host.MessagesAsync()).Template);
    }

    [Fact]
    public async Task Beside_a_mail_to_the_same_address_about_the_same_finding_it_is_dropped_and_its_values_carried()
    {
        await using var host = await MailHost.StartAsync(null);
        var (_, findings) = await host.SeedAsync(1, "教育局");
        var id = findings[0].Id;
        await host.EnqueueAsync(Fallback(id), Other("report-returned", id));
        var kept = Assert.Single(await host.MessagesAsync());
        Assert.Equal("report-returned", kept.Template);
        Assert.Contains("\"previous_deadline\":\"2026年3月13日\"", kept.ModelJson);
        Assert.Contains("\"comment\":\"原有的值\"", kept.ModelJson);
        Assert.DoesNotContain("不该覆盖", kept.ModelJson);
    }

    [Fact]
    public async Task Another_finding_or_another_address_does_not_replace_it()
    {
        await using var host = await MailHost.StartAsync(null);
        var (_, findings) = await host.SeedAsync(2, "教育局");
        await host.EnqueueAsync(Other("report-returned", findings[1].Id), Fallback(findings[0].Id), Other("report-submitted", findings[0].Id, new MailRecipient(RecipientKind.Address, "auditor@example.gov.cn")));
        Assert.Equal(["report-returned", "deadline-changed", "report-submitted"], (await host.MessagesAsync()).Select(m => m.Template));
    }
}
