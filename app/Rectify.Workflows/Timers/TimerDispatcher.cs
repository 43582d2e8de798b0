using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;
using System.Globalization;

namespace Rectify.Workflows.Timers;

/// <summary>
/// Fires due timers exactly once across restarts and nodes: claims a batch with a <see cref="LeaseClaim"/>, then
/// fires them in groups, each group one transaction that updates the instances and deletes the timer rows. A row already fired elsewhere fails the delete, the
/// transaction rolls back, and the group's timers are retried one by one. Groups are sized by how long the last one
/// wrote (<see cref="ChunkPacer"/>, up to <see cref="WorkflowOptions.FireGroupSize"/>).
/// </summary>
public sealed class TimerDispatcher(IServiceScopeFactory scopes, TimeProvider time, IOptions<WorkflowOptions> options, ILogger<TimerDispatcher> logger)
{
    private const int MaxAttempts = 4;
    private static readonly LeaseClaim DueTimers = new("\"DueAt\" <= {now}", OrderBy: "\"DueAt\"", GroupBy: nameof(WorkflowTimer.InstanceId));
    private readonly WorkflowOptions _options = options.Value;
    // Kept across rounds, so a catch-up starts at the size the last one reached. Groups written side by side both
    // report to it; the last report wins, which is as good a measure as the other. The first group is small: nothing
    // was timed yet, and a process just started writes slowest.
    private readonly ChunkPacer _pacer = new(options.Value.FireGroupSize, firstSize: ChunkPacer.MinSize);

    private long _longestGroupWriteTicks;

    /// <summary>The longest a group's save has written (on SQLite: held the writer turn), what another writer waits behind it at most.</summary>
    public TimeSpan LongestGroupWrite => TimeSpan.FromTicks(Interlocked.Read(ref _longestGroupWriteTicks));

    /// <summary>How many timers the next group may hold (<see cref="ChunkPacer"/>).</summary>
    internal int NextGroupSize => _pacer.Size;

    /// <summary>Names this dispatcher in the lease column.</summary>
    public string NodeId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Fires every timer due now; returns how many fired.</summary>
    public Task<int> FireDueAsync(CancellationToken ct = default) => FireDueAsync(null, ct);

    /// <summary>The same, telling <paramref name="batchFired"/> each claimed batch's count once it is fired (the benchmark times them).</summary>
    public async Task<int> FireDueAsync(Action<int>? batchFired, CancellationToken ct = default)
    {
        var fired = 0;
        while (!ct.IsCancellationRequested)
        {
            var claimed = await ClaimAsync(ct);
            if (claimed.Count == 0)
                break;
            var batch = await FireAsync(claimed, ct);
            batchFired?.Invoke(batch);
            fired += batch;
            // Fewer than a batch: the claim took every due timer there was.
            if (claimed.Count < _options.ClaimBatchSize)
                break;
        }
        return fired;
    }

    /// <summary>
    /// Takes the lease of the due, unleased timers of the instances of up to a batch of them; returns them in due order.
    /// A node normally takes all due timers of an instance, so that after downtime two nodes do not resume one instance at
    /// once (the instance's revision would serialise them, at the cost of a retry).
    /// </summary>
    public async Task<List<WorkflowTimer>> ClaimAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        var now = time.GetUtcNow();
        var until = now + _options.LeaseDuration;
        var claim = $"{NodeId}/{Guid.NewGuid():N}";
        // The claim is a write like any other: it waits for the writer turn instead of for SQLite's file lock.
        await using var transaction = await db.BeginWriteTransactionAsync(ct);
        var claimed = await DueTimers.ClaimAsync<WorkflowTimer>(db, claim, now, until, _options.ClaimBatchSize, ct);
        await transaction.CommitAsync(ct);
        return claimed.OrderBy(t => t.DueAt).ThenBy(t => t.InstanceId, StringComparer.Ordinal).ThenBy(t => int.Parse(t.ActivityExecutionId, CultureInfo.InvariantCulture)).ToList();
    }

    internal async Task<int> FireAsync(List<WorkflowTimer> claimed, CancellationToken ct = default)
    {
        var fired = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.FireParallelism), CancellationToken = ct };
        await Parallel.ForEachAsync(Groups(claimed, () => _pacer.Size), parallel, async (group, token) =>
        {
            int count;
            try
            {
                count = await FireGroupAsync(group, token);
            }
            catch (DbUpdateException)
            {
                // Someone else touched one of these instances or fired one of these timers (a concurrency error, or
                // the outbox refusing the same message twice): go one by one.
                count = 0;
                foreach (var timer in group)
                    count += await FireOneAsync(timer, token);
            }
            Interlocked.Add(ref fired, count);
        });
        return fired;
    }

    /// <summary>
    /// The claimed timers in due order, cut into groups of about <paramref name="size"/> that keep each instance's
    /// timers together: two groups prepared at once never resume the same instance. Cut as they are taken, each to the
    /// size asked at that moment (the pacer's, after the groups written before it).
    /// </summary>
    internal static IEnumerable<WorkflowTimer[]> Groups(List<WorkflowTimer> claimed, Func<int> size)
    {
        var group = new List<WorkflowTimer>();
        foreach (var instance in claimed.GroupBy(t => t.InstanceId, StringComparer.Ordinal))
        {
            if (group.Count > 0 && group.Count + instance.Count() > size())
            {
                yield return [.. group];
                group.Clear();
            }
            group.AddRange(instance);
        }
        if (group.Count > 0)
            yield return [.. group];
    }

    private async Task<int> FireOneAsync(WorkflowTimer timer, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                return await FireGroupAsync([timer], ct, retriedAlone: true);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
            }
            catch (DbUpdateException ex)
            {
                logger.LogWarning(ex, "Timer {Instance}/{Execution} could not be fired after {Attempts} attempts; its lease will expire and it will be retried",
                    timer.InstanceId, timer.ActivityExecutionId, MaxAttempts);
            }
        }
        return 0;
    }

    /// <param name="retriedAlone">One timer retried after its group met a conflict: it may have been fired elsewhere meanwhile.</param>
    private async Task<int> FireGroupAsync(WorkflowTimer[] timers, CancellationToken ct, bool retriedAlone = false)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorContext>().Actor = Actor.Workflow;
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<RectifyDb>();
        // Catching up is a long job in groups: a person's save that queues meanwhile goes before the next group.
        db.WritesLongJob = true;
        if (retriedAlone)
        {
            var t = timers[0];
            // Fired meanwhile by another node: nothing to do.
            if (!await db.Set<WorkflowTimer>().AnyAsync(x => x.InstanceId == t.InstanceId && x.ActivityExecutionId == t.ActivityExecutionId, ct))
                return 0;
        }
        var runner = services.GetRequiredService<WorkflowRunner>();
        var cache = services.GetRequiredService<DefinitionCache>();
        var instanceIds = timers.Select(t => t.InstanceId).Distinct().ToList();
        var instances = await db.Set<WorkflowInstance>().Where(i => instanceIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var findingIds = instances.Values.Where(i => i.FindingId is not null).Select(i => i.FindingId!.Value).Distinct().ToList();
        // With all that the mails' view models show, for the whole group at once.
        var findings = await db.Set<Finding>().Where(f => findingIds.Contains(f.Id))
            .Include(f => f.Unit).Include(f => f.Category).Include(f => f.Inspection)
            .Include(f => f.Reports).Include(f => f.ExtensionRequests)
            .AsSplitQuery().ToDictionaryAsync(f => f.Id, ct);
        var fired = 0;
        foreach (var timer in timers)
        {
            if (!instances.TryGetValue(timer.InstanceId, out var instance) || instance.FindingId is not { } findingId || !findings.TryGetValue(findingId, out var finding))
                continue;
            var definition = await cache.ParsedAsync(db, instance.DefinitionVersionId, ct);
            if (await runner.ResumeAsync(instance, definition, finding, [timer.ActivityExecutionId], Signal.Timer, ct))
                fired++;
            else
                runner.DropTimer(timer);
        }
        await db.SaveChangesAsync(ct);
        // A lone timer's write is all fixed cost (the commit, the statements): timed as a group, it would shrink the next
        // groups to the smallest.
        if (!retriedAlone)
            _pacer.Wrote(timers.Length, db.LastWriteTime);
        for (long longest; (longest = Interlocked.Read(ref _longestGroupWriteTicks)) < db.LastWriteTime.Ticks;)
            Interlocked.CompareExchange(ref _longestGroupWriteTicks, db.LastWriteTime.Ticks, longest);
        return fired;
    }
}

/// <summary>Imports the shipped definitions, then fires due timers until the host stops.</summary>
public sealed class TimerDispatcherService(
    TimerDispatcher dispatcher, IServiceScopeFactory scopes, IOptions<WorkflowOptions> options, ILogger<TimerDispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DefinitionImporter>().ImportAsync(stoppingToken);
        if (!options.Value.RunDispatcher)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            var fired = 0;
            try
            {
                fired = await dispatcher.FireDueAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Firing workflow timers failed; retrying after the poll interval");
            }
            if (fired == 0)
            {
                try { await Task.Delay(options.Value.PollInterval, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
    }
}
