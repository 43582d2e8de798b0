using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore.Storage;

namespace Rectify.Data;

/// <summary>
/// SQLite has one writer per file: this process's writers take turns here, in order and without blocking a thread,
/// instead of polling the file lock (SQLite's busy handler sleeps between polls and gives up after its timeout, so a
/// writer arriving during a long write would stall and could fail with "database is locked").
/// The turn is handed over fairly between two kinds of writers, each in its order: after a chunk of a long job (a
/// notice's issue, an import) the short writes waiting go first, for as long in all as that chunk held the turn; then
/// the next chunk, if one waits, goes before the other short writes. A short write so waits for one chunk at most,
/// plus the short writes ahead of it; a long job gets half of a busy turn and never starves.
/// </summary>
public sealed class SqliteWriterTurn
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SqliteWriterTurn> Files = new();
    private static readonly Meter Meter = new("Rectify.Data");

    /// <summary>How long a writer waited for the turn (ms): what a long write costs every other one.</summary>
    public static readonly Histogram<double> WaitTime = Meter.CreateHistogram<double>("rectify.sqlite.writer_turn.wait", "ms");

    /// <summary>How long a writer held the turn (ms).</summary>
    public static readonly Histogram<double> HoldTime = Meter.CreateHistogram<double>("rectify.sqlite.writer_turn.hold", "ms");

    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource> _short = new();
    private readonly LinkedList<TaskCompletionSource> _long = new();
    private bool _held;
    private bool _heldByLong;
    private long _heldSince;
    // How long short writes may still hold the turn before a waiting chunk goes: as long as the last chunk held it.
    private TimeSpan _shortsDue;
    private readonly TimeProvider _time;

    /// <param name="checkpointedDatabase">The connection string of the database whose WAL this turn's writes fill, to
    /// checkpoint it after them (none where a test drives the turn alone).</param>
    public SqliteWriterTurn(TimeProvider time, string? checkpointedDatabase = null)
    {
        _time = time;
        Checkpointer = checkpointedDatabase is null ? null : new SqliteCheckpointer(checkpointedDatabase, this);
    }

    /// <summary>The turn of the writers of one database (by connection string).</summary>
    public static SqliteWriterTurn Of(string connectionString) => Files.GetOrAdd(connectionString, cs => new SqliteWriterTurn(TimeProvider.System, cs));

    /// <summary>The checkpointer of this database's WAL.</summary>
    public SqliteCheckpointer? Checkpointer { get; }

    /// <summary>Writers waiting for the turn now (the holder not counted).</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
                return _short.Count + _long.Count;
        }
    }

    /// <summary>Waits for the turn; <paramref name="longJob"/> for a chunk of a long job (see the class).</summary>
    public async Task WaitAsync(bool longJob, CancellationToken ct)
    {
        var asked = _time.GetTimestamp();
        LinkedListNode<TaskCompletionSource>? node = null;
        lock (_gate)
        {
            if (_held)
                node = (longJob ? _long : _short).AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            else
                Grant(longJob);
        }
        if (node is not null)
        {
            await using (ct.Register(() => Cancel(node)))
                await node.Value.Task;
        }
        WaitTime.Record(_time.GetElapsedTime(asked).TotalMilliseconds);
    }

    public void Release() => Release(wrote: true);

    /// <param name="wrote">False for the checkpointer's own turn, which adds nothing to the WAL to checkpoint after it.</param>
    internal void Release(bool wrote)
    {
        var held = _time.GetElapsedTime(Volatile.Read(ref _heldSince));
        HoldTime.Record(held.TotalMilliseconds);
        if (wrote)
            Checkpointer?.Wrote();
        lock (_gate)
        {
            _shortsDue = _heldByLong ? held : _shortsDue - held;
            var next = _short.Count > 0 && (_shortsDue > TimeSpan.Zero || _long.Count == 0) ? _short
                : _long.Count > 0 ? _long
                : null;
            if (next is null)
            {
                _held = false;
                return;
            }
            var waiter = next.First!.Value;
            next.RemoveFirst();
            Grant(next == _long);
            waiter.SetResult();
        }
    }

    private void Grant(bool longJob)
    {
        _held = true;
        _heldByLong = longJob;
        _heldSince = _time.GetTimestamp();
    }

    /// <summary>A waiter whose request went away leaves the queue; one granted meanwhile has the turn and gives it back itself.</summary>
    private void Cancel(LinkedListNode<TaskCompletionSource> node)
    {
        lock (_gate)
        {
            if (node.List is not { } queue)
                return;
            queue.Remove(node);
        }
        node.Value.SetCanceled();
    }
}

/// <summary>A transaction that gives the writer turn back when it ends (committed, rolled back or disposed).</summary>
internal sealed class WriterTurnTransaction(IDbContextTransaction inner, SqliteWriterTurn turn) : IDbContextTransaction
{
    private int _released;

    public Guid TransactionId => inner.TransactionId;

    public void Commit() => inner.Commit();

    public Task CommitAsync(CancellationToken cancellationToken = default) => inner.CommitAsync(cancellationToken);

    public void Rollback() => inner.Rollback();

    public Task RollbackAsync(CancellationToken cancellationToken = default) => inner.RollbackAsync(cancellationToken);

    public void Dispose()
    {
        try
        {
            inner.Dispose();
        }
        finally
        {
            Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await inner.DisposeAsync();
        }
        finally
        {
            Release();
        }
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            turn.Release();
    }
}
