using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rectify.Data;
using Rectify.Mail;
using Rectify.Notices.Spreadsheets;
using Rectify.Workflows;

namespace Rectify.Web.Operations;

public sealed class OperationsOptions
{
    /// <summary>A due timer not fired after this long counts as late (status page, rectify_timers_late).</summary>
    public TimeSpan TimerLateAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A scraper sending <c>Authorization: Bearer</c> this token may read /metrics from anywhere; without one
    /// configured, only a direct loopback connection (no proxy header) may.
    /// </summary>
    public string? MetricsToken { get; set; }
}

/// <summary>What an office IT person watches: the outbox, the timers, faulted workflows and imports, at one moment.</summary>
public sealed record OperationsSnapshot(
    DateTimeOffset At,
    int MailPending,
    int MailDue,
    int MailRetrying,
    int MailFailed,
    int MailAttemptsFailed,
    int TimersWaiting,
    int TimersDue,
    int TimersLate,
    double OldestDueSeconds,
    int InstancesRunning,
    int InstancesFaulted,
    int ImportsRunning,
    int ImportsFailed);

/// <summary>Reads the figures from the database (so every node reports the same office) and the import jobs of this node.</summary>
public sealed class OperationsStatus(RectifyDb db, TimeProvider time, ImportJobs imports, IOptions<OperationsOptions> options)
{
    public TimeSpan LateAfter => options.Value.TimerLateAfter;

    public async Task<OperationsSnapshot> ReadAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var late = now - options.Value.TimerLateAfter;
        var outbox = db.Set<OutboxMessage>().AsNoTracking();
        var pending = outbox.Where(m => m.Status == OutboxStatus.Pending);
        var timers = db.Set<WorkflowTimer>().AsNoTracking();
        var instances = db.Set<WorkflowInstance>().AsNoTracking();
        var oldestDue = await timers.Where(t => t.DueAt <= now).OrderBy(t => t.DueAt).Select(t => (DateTimeOffset?)t.DueAt).FirstOrDefaultAsync(ct);
        return new OperationsSnapshot(
            now,
            await pending.CountAsync(ct),
            await pending.CountAsync(m => m.NextAttemptAt <= now, ct),
            await pending.CountAsync(m => m.Attempts > 0, ct),
            await outbox.CountAsync(m => m.Status == OutboxStatus.Failed, ct),
            await db.Set<OutboxAttempt>().CountAsync(a => !a.Succeeded, ct),
            await timers.CountAsync(ct),
            await timers.CountAsync(t => t.DueAt <= now, ct),
            await timers.CountAsync(t => t.DueAt <= late, ct),
            oldestDue is { } due ? (now - due).TotalSeconds : 0,
            await instances.CountAsync(i => i.Status == WorkflowStatus.Running, ct),
            await instances.CountAsync(i => i.SubStatus == WorkflowSubStatus.Faulted, ct),
            imports.Running,
            imports.Failed);
    }
}
