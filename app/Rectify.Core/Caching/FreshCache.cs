namespace Rectify.Caching;

/// <summary>
/// Answers kept per key while they are fresh: computed less than <c>maxAge</c> ago, with the version source unchanged
/// since the computation began. A version source that moves with every change saved in this process shows those
/// changes at once; the age bounds how long changes made elsewhere (another node) stay unseen.
/// A stale or missing answer is computed once: callers asking for the same key meanwhile await that computation.
/// At most <c>capacity</c> keys are kept; when full, the answer computed longest ago goes first.
/// </summary>
public sealed class FreshCache<TKey, TValue> where TKey : notnull
{
    private readonly Func<long> _version;
    private readonly TimeSpan _maxAge;
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, LinkedListNode<Answer>> _byKey = new();
    // In the order they were computed, so the one to evict is always first.
    private readonly LinkedList<Answer> _byAge = new();

    private sealed record Answer(TKey Key, long Version, DateTimeOffset At, Task<TValue> Value);

    public FreshCache(Func<long> version, TimeSpan maxAge, int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxAge, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        (_version, _maxAge, _capacity, _time) = (version, maxAge, capacity, time);
    }

    /// <summary>How many keys have an answer, fresh or not.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _byKey.Count;
        }
    }

    /// <summary>
    /// The fresh answer for <paramref name="key"/>, computed by <paramref name="compute"/> when there is none.
    /// <paramref name="ct"/> stops only this caller's wait, never the computation: others may be waiting for it.
    /// A failed computation is not kept; everyone waiting for it gets its exception.
    /// </summary>
    public async Task<TValue> GetAsync(TKey key, Func<Task<TValue>> compute, CancellationToken ct = default)
    {
        // Read before computing: a change saved during the computation leaves its answer stale at once.
        var version = _version();
        var now = _time.GetUtcNow();
        TaskCompletionSource<TValue>? mine = null;
        LinkedListNode<Answer>? node;
        lock (_lock)
        {
            if (!_byKey.TryGetValue(key, out node) || !IsFresh(node.Value, version, now))
            {
                mine = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
                node = Store(new Answer(key, version, now, mine.Task));
            }
        }
        if (mine is not null)
        {
            try
            {
                mine.SetResult(await compute());
            }
            catch (Exception e)
            {
                Forget(node);
                mine.SetException(e);
            }
        }
        return await node.Value.Value.WaitAsync(ct);
    }

    // A clock that went back (a demo clock reset) makes every answer stale rather than fresh for longer.
    private bool IsFresh(Answer answer, long version, DateTimeOffset now) =>
        answer.Version == version && now >= answer.At && now - answer.At < _maxAge;

    private LinkedListNode<Answer> Store(Answer answer)
    {
        if (_byKey.Remove(answer.Key, out var replaced))
            _byAge.Remove(replaced);
        else if (_byKey.Count >= _capacity)
        {
            _byKey.Remove(_byAge.First!.Value.Key);
            _byAge.RemoveFirst();
        }
        var node = _byAge.AddLast(answer);
        _byKey[answer.Key] = node;
        return node;
    }

    private void Forget(LinkedListNode<Answer> node)
    {
        lock (_lock)
        {
            // Still listed means no newer answer replaced it (and no eviction dropped it).
            if (node.List is not null)
            {
                _byAge.Remove(node);
                _byKey.Remove(node.Value.Key);
            }
        }
    }
}
