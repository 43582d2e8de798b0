using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;

namespace Rectify.Workflows.Timers;

/// <summary>
/// The app's clock when the demonstration clock is on: the real (or test) clock plus an offset that only grows.
/// </summary>
public sealed class DemoClock(TimeProvider inner) : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;
    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;
    public override long TimestampFrequency => inner.TimestampFrequency;
    public override long GetTimestamp() => inner.GetTimestamp();

    /// <summary>Moves the clock forward to <paramref name="instant"/>; never backwards.</summary>
    public void AdvanceTo(DateTimeOffset instant)
    {
        var delta = instant - GetUtcNow();
        if (delta > TimeSpan.Zero)
            Interlocked.Add(ref _offsetTicks, delta.Ticks);
    }
}

public sealed record DemoClockAdvance(DateTimeOffset From, DateTimeOffset To, int TimersFired, int Steps);

/// <summary>
/// Walks the demonstration clock forward: to each due timer in turn, firing what is due there, as real time would
/// have, then to the requested instant. Null <see cref="Clock"/> means the demo clock is off.
/// </summary>
public sealed class DemoClockControl(DemoClock? clock, TimerDispatcher dispatcher, IServiceScopeFactory scopes)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public bool IsEnabled => clock is not null;

    public DateTimeOffset? Now => clock?.GetUtcNow();

    public async Task<DemoClockAdvance> AdvanceAsync(DateTimeOffset until, CancellationToken ct = default)
    {
        if (clock is null)
            throw RectifyException.Forbidden("workflow.demo_clock_off", "演示时钟未开启。", "The demonstration clock is not enabled.");
        await _gate.WaitAsync(ct);
        try
        {
            var from = clock.GetUtcNow();
            if (until < from)
                throw RectifyException.Invalid("workflow.demo_clock_backwards", "演示时钟只能向前调。", "The demonstration clock only moves forward.");
            int fired = 0, steps = 0;
            while (await NextDueAsync(until, ct) is { } next)
            {
                clock.AdvanceTo(next);
                var firedHere = await dispatcher.FireDueAsync(ct);
                fired += firedHere;
                steps++;
                if (firedHere == 0 && await NextDueAsync(until, ct) == next)
                    break; // leased by another node, which fires it
            }
            clock.AdvanceTo(until);
            fired += await dispatcher.FireDueAsync(ct);
            return new DemoClockAdvance(from, until, fired, steps);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<DateTimeOffset?> NextDueAsync(DateTimeOffset until, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        var now = clock!.GetUtcNow();
        return await db.Set<WorkflowTimer>().AsNoTracking()
            .Where(t => t.DueAt <= until && (t.LeaseUntil == null || t.LeaseUntil < now))
            .OrderBy(t => t.DueAt)
            .Select(t => (DateTimeOffset?)t.DueAt)
            .FirstOrDefaultAsync(ct);
    }
}
