using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;

namespace Rectify.Workflows.Timers;

/// <summary>
/// The app's clock when the demonstration clock is on: the real (or test) clock plus an offset. The offset is set
/// once when the clock is restored (to its configured start or its stored position, possibly in the past), and
/// afterwards only grows.
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

    /// <summary>Puts the clock at <paramref name="instant"/>, also backwards: only when it is restored at start.</summary>
    internal void StandAt(DateTimeOffset instant) => Interlocked.Exchange(ref _offsetTicks, (instant - inner.GetUtcNow()).Ticks);
}

/// <summary>
/// The app's two clocks: <see cref="Real"/> (the system's, or a test's) and, when on, the demonstration clock that
/// the app's TimeProvider becomes. Sign-in cookies keep to the real one, so moving the demo clock signs nobody out.
/// </summary>
public sealed record AppClocks(TimeProvider Real, DemoClock? Demo)
{
    public TimeProvider Current => Demo ?? Real;
}

public sealed record DemoClockAdvance(DateTimeOffset From, DateTimeOffset To, int TimersFired, int Steps);

/// <summary>
/// Walks the demonstration clock forward: to each due timer in turn, firing what is due there, as real time would
/// have, then to the requested instant. Its position is kept in the database (<see cref="DemoClockPosition"/>) after
/// every move and when the app stops, and restored at start, so mail, timers and reports stamped in demo time stay
/// in order across a restart. Null <see cref="Clock"/> means the demo clock is off.
/// </summary>
public sealed class DemoClockControl(DemoClock? clock, DemoClockOptions options, TimerDispatcher dispatcher, IServiceScopeFactory scopes) : IDisposable
{
    private const int PositionId = 1;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Dispose() => _gate.Dispose();

    public bool IsEnabled => clock is not null;

    public DateTimeOffset? Now => clock?.GetUtcNow();

    /// <summary>
    /// At start, after the migrations: the clock resumes at its stored position, or on a database that has none at
    /// the configured start (else it goes on from the real time), and that position is stored.
    /// </summary>
    public async Task RestoreAsync(CancellationToken ct = default)
    {
        if (clock is null)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        if (await db.Set<DemoClockPosition>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == PositionId, ct) is { } stored)
            clock.StandAt(stored.Position);
        else if (options.Start is { } start)
            clock.StandAt(start);
        await SaveAsync(ct);
    }

    /// <summary>Stores where the clock stands (after each move, and when the app stops).</summary>
    public async Task SaveAsync(CancellationToken ct = default)
    {
        if (clock is null)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        var position = clock.GetUtcNow();
        if (await db.Set<DemoClockPosition>().FirstOrDefaultAsync(p => p.Id == PositionId, ct) is { } row)
            row.Position = position;
        else
            db.Add(new DemoClockPosition { Id = PositionId, Position = position });
        await db.SaveChangesAsync(ct);
    }

    public async Task<DemoClockAdvance> AdvanceAsync(DateTimeOffset until, CancellationToken ct = default)
    {
        if (clock is null)
            throw RectifyException.Forbidden("workflow.demo_clock_off", "演示时钟未开启。", "The demonstration clock is not enabled.");
        // Instants go to the database in UTC (PostgreSQL refuses other offsets); callers may give office time.
        until = until.ToUniversalTime();
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
            await SaveAsync(ct);
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
