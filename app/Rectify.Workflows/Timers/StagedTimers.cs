using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Findings;

namespace Rectify.Workflows.Timers;

/// <summary>
/// A staged issue's timers are leased to the staging until it completes, so the dispatcher (which claims only
/// unleased or expired rows) never fires a reminder of a finding nobody can see yet.
/// </summary>
public sealed class StagedTimers : IStagedRows
{
    public void Hold(RectifyDb db, string stagingId)
    {
        foreach (var timer in db.ChangeTracker.Entries<WorkflowTimer>().Where(e => e.State == EntityState.Added).Select(e => e.Entity))
            (timer.LeaseOwner, timer.LeaseUntil) = (stagingId, IssueStaging.HeldUntil);
    }

    public Task ReleaseAsync(RectifyDb db, string stagingId, CancellationToken ct) =>
        db.Set<WorkflowTimer>().Where(t => t.LeaseOwner == stagingId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, (string?)null).SetProperty(t => t.LeaseUntil, (DateTimeOffset?)null), ct);
}
