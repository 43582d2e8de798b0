using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Xunit;

namespace Rectify.Mail.Tests;

/// <summary>
/// The lease-claim helper itself, on outbox rows of a real database (SQLite, and PostgreSQL in the second pass):
/// which rows a claim takes, that a group is taken whole, and that claims running at once never share a row.
/// </summary>
public sealed class LeaseClaimTests : IAsyncLifetime
{
    private static readonly LeaseClaim Due = new(
        "\"Status\" = 'Pending' AND \"NextAttemptAt\" <= {now}", OrderBy: "\"Id\"",
        GroupBy: nameof(OutboxMessage.BatchId), Companions: "\"Status\" = 'Pending'");

    private MailHost _host = null!;
    private DateTimeOffset Now => _host.Database.Clock.GetUtcNow();

    public async Task InitializeAsync() => _host = await MailHost.StartAsync(smtpPort: null);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<long> AddAsync(string key, TimeSpan dueIn = default, OutboxStatus status = OutboxStatus.Pending,
        long? batchId = null, string? leaseOwner = null, TimeSpan? leaseLeft = null)
    {
        await using var scope = _host.Database.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        var message = new OutboxMessage
        {
            Template = "assigned", DeduplicationKey = key, RecipientAddress = "liaison@unit.test", Status = status,
            CreatedAt = Now, NextAttemptAt = Now + dueIn, BatchId = batchId,
            LeaseOwner = leaseOwner, LeaseUntil = leaseLeft is { } left ? Now + left : null,
        };
        db.Add(message);
        await db.SaveChangesAsync();
        return message.Id;
    }

    private async Task<List<string>> ClaimAsync(string owner, int limit)
    {
        await using var scope = _host.Database.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        var claimed = await Due.ClaimAsync<OutboxMessage>(db, owner, Now, Now + TimeSpan.FromMinutes(5), limit);
        Assert.All(claimed, m => Assert.Equal(owner, m.LeaseOwner));
        return claimed.Select(m => m.DeduplicationKey).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Takes_due_free_rows_in_order_up_to_the_limit_with_the_rest_of_their_group()
    {
        var batch = await AddAsync("b1");
        await AddAsync("a1");
        await AddAsync("a2");
        await AddAsync("b2", dueIn: TimeSpan.FromHours(1), batchId: batch);
        await AddAsync("later", dueIn: TimeSpan.FromHours(1));
        await AddAsync("held", leaseOwner: "other", leaseLeft: TimeSpan.FromMinutes(1));
        await AddAsync("expired", leaseOwner: "crashed", leaseLeft: TimeSpan.FromMinutes(-1));
        await AddAsync("sent", status: OutboxStatus.Sent);
        await _host.Database.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.DeduplicationKey == "b1")
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.BatchId, batch)));

        // The first two due rows by id, and b2: not due itself, but its batch goes out whole.
        Assert.Equal(["a1", "b1", "b2"], await ClaimAsync("first", limit: 2));
        Assert.Equal(["a2", "expired"], await ClaimAsync("second", limit: 100));
        Assert.Empty(await ClaimAsync("third", limit: 100));

        var owners = await _host.Database.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking()
            .ToDictionaryAsync(m => m.DeduplicationKey, m => m.LeaseOwner));
        Assert.Equal("first", owners["b2"]);
        Assert.Equal("second", owners["expired"]);
        Assert.Equal("other", owners["held"]);
        Assert.Null(owners["later"]);
        Assert.Null(owners["sent"]);
    }

    [Fact]
    public async Task Claims_at_once_take_every_row_exactly_once()
    {
        for (var i = 0; i < 40; i++)
            await AddAsync($"m{i:D2}");

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(n => Task.Run(() => ClaimAsync($"node{n}", limit: 10))));
        var taken = claims.SelectMany(c => c).ToList();
        // A claim skips rows another is locking: what none took is left for the next round.
        taken.AddRange(await ClaimAsync("next", limit: 100));

        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"m{i:D2}"), taken.Order(StringComparer.Ordinal));
    }
}
