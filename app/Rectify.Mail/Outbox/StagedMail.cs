using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Findings;

namespace Rectify.Mail.Outbox;

/// <summary>
/// A staged issue's mails are leased to the staging until it completes: the sender claims only unleased or
/// expired rows, so no unit hears of a notice that might not be issued whole.
/// </summary>
public sealed class StagedMail : IStagedRows
{
    public void Hold(RectifyDb db, string stagingId)
    {
        foreach (var message in db.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added).Select(e => e.Entity))
            (message.LeaseOwner, message.LeaseUntil) = (stagingId, IssueStaging.HeldUntil);
    }

    public Task ReleaseAsync(RectifyDb db, string stagingId, CancellationToken ct) =>
        db.Set<OutboxMessage>().Where(m => m.LeaseOwner == stagingId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseOwner, (string?)null).SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null), ct);
}
