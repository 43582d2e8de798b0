using Microsoft.Extensions.Time.Testing;
using Rectify.Caching;
using Rectify.Testing;

namespace Rectify.Core.Tests;

/// <summary>
/// The cache behind the list totals, the dashboard and the ledger's drop-downs, on a fake clock and a version of its
/// own: nothing here waits for time to pass, and no other test's saves move the version.
/// </summary>
public sealed class FreshCacheTests
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _clock = new(TestDatabase.DefaultStart);
    private long _version;
    private int _computations;

    private FreshCache<string, int> NewCache(int capacity = 100) => new(() => _version, MaxAge, capacity, _clock);

    /// <summary>Each computation answers how many there have been so far, so a reused answer shows as an old number.</summary>
    private Task<int> GetAsync(FreshCache<string, int> cache, string key) =>
        cache.GetAsync(key, () => Task.FromResult(Interlocked.Increment(ref _computations)));

    [Fact]
    public async Task A_fresh_answer_is_reused_for_its_key_only()
    {
        var cache = NewCache();
        Assert.Equal(1, await GetAsync(cache, "a"));
        Assert.Equal(1, await GetAsync(cache, "a"));
        Assert.Equal(2, await GetAsync(cache, "b"));
        Assert.Equal(1, await GetAsync(cache, "a"));
        Assert.Equal(2, _computations);
    }

    [Fact]
    public async Task A_version_change_makes_every_answer_stale_at_once()
    {
        var cache = NewCache();
        Assert.Equal(1, await GetAsync(cache, "a"));
        Assert.Equal(2, await GetAsync(cache, "b"));
        _version++;
        Assert.Equal(3, await GetAsync(cache, "a"));
        Assert.Equal(4, await GetAsync(cache, "b"));
        Assert.Equal(3, await GetAsync(cache, "a"));
    }

    [Fact]
    public async Task An_answer_is_recomputed_once_it_is_max_age_old()
    {
        var cache = NewCache();
        Assert.Equal(1, await GetAsync(cache, "a"));
        _clock.Advance(MaxAge - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await GetAsync(cache, "a"));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, await GetAsync(cache, "a"));
        // The new answer's age counts from its own computation.
        _clock.Advance(MaxAge - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, await GetAsync(cache, "a"));
    }

    [Fact]
    public async Task Concurrent_callers_of_a_stale_key_share_one_computation()
    {
        const int callers = 16;
        var cache = NewCache();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = 0;
        var computations = 0;
        var answers = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            var answer = cache.GetAsync("k", () =>
            {
                Interlocked.Increment(ref computations);
                return gate.Task;
            });
            // GetAsync returns once the caller either computes or waits for the computation under way.
            if (Interlocked.Increment(ref waiting) == callers)
                allWaiting.SetResult();
            return await answer;
        })).ToList();

        start.SetResult();
        await allWaiting.Task;
        Assert.Equal(1, computations);
        Assert.DoesNotContain(answers, a => a.IsCompleted);
        gate.SetResult(42);
        Assert.All(await Task.WhenAll(answers), answer => Assert.Equal(42, answer));
        Assert.Equal(1, computations);
        // Fresh now: no further computation.
        Assert.Equal(42, await cache.GetAsync("k", () => Task.FromResult(Interlocked.Increment(ref computations))));
        Assert.Equal(1, computations);
    }

    [Fact]
    public async Task A_caller_that_stops_waiting_leaves_the_computation_to_the_others()
    {
        var cache = NewCache();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var computing = cache.GetAsync("k", () => gate.Task);
        using var cancel = new CancellationTokenSource();
        var impatient = cache.GetAsync("k", () => Task.FromResult(-1), cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        gate.SetResult(7);
        Assert.Equal(7, await computing);
        Assert.Equal(7, await cache.GetAsync("k", () => Task.FromResult(-1)));
    }

    [Fact]
    public async Task A_failed_computation_reaches_every_waiter_and_is_not_kept()
    {
        var cache = NewCache();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = cache.GetAsync("k", () => gate.Task);
        var second = cache.GetAsync("k", () => Task.FromResult(-1));
        gate.SetException(new InvalidOperationException("database gone"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second);
        Assert.Equal(0, cache.Count);
        Assert.Equal(1, await GetAsync(cache, "k"));
    }

    [Fact]
    public async Task When_full_the_answer_computed_longest_ago_goes_first()
    {
        var cache = NewCache(capacity: 2);
        Assert.Equal(1, await GetAsync(cache, "a"));
        Assert.Equal(2, await GetAsync(cache, "b"));
        Assert.Equal(3, await GetAsync(cache, "c"));
        Assert.Equal(2, cache.Count);
        Assert.Equal(2, await GetAsync(cache, "b"));
        Assert.Equal(3, await GetAsync(cache, "c"));
        Assert.Equal(4, await GetAsync(cache, "a"));
        Assert.Equal(3, await GetAsync(cache, "c"));
        Assert.Equal(5, await GetAsync(cache, "b"));

        // Any number of different keys (arbitrary list filters) keeps no more than the capacity.
        for (var i = 0; i < 1_000; i++)
            await GetAsync(cache, $"filter {i}");
        Assert.Equal(2, cache.Count);
    }
}
