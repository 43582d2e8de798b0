using Microsoft.EntityFrameworkCore;
using Rectify.Data;

namespace Rectify.Findings;

/// <summary>
/// A staged issue's rows of one leased table (due timers, mails) are leased to the staging until its clean-up after
/// publishing releases them: the workers claim only unleased or expired rows, so nothing acts on a finding or a
/// notice nobody can see yet, and a row is released once, by a committed chunk.
/// </summary>
public sealed class StagedLeases<T> : IStagedRows where T : class, ILeased
{
    public void Hold(RectifyDb db, string stagingId)
    {
        foreach (var row in db.ChangeTracker.Entries<T>().Where(e => e.State == EntityState.Added).Select(e => e.Entity))
            (row.LeaseOwner, row.LeaseUntil) = (stagingId, IssueStaging.HeldUntil);
    }

    public Task<int> ReleaseAsync(RectifyDb db, string stagingId, int max, CancellationToken ct) =>
        db.Set<T>().Where(r => r.LeaseOwner == stagingId).Take(max)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseOwner, (string?)null).SetProperty(r => r.LeaseUntil, (DateTimeOffset?)null), ct);
}
