using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore.Storage;

namespace Rectify.Data;

/// <summary>
/// SQLite has one writer per file: this process's writers take turns here, in order and without blocking a thread,
/// instead of polling the file lock (SQLite's busy handler sleeps between polls and gives up after its timeout, so a
/// writer arriving during a long write would stall and could fail with "database is locked").
/// The turn is handed over fairly between two kinds of writers: a long job written in chunks (a notice's issue, an
/// import) lets every short write that queued during its chunk go before its next chunk, and gets the turn back once
/// those are done. A short write so waits for one chunk at most, plus the short writes ahead of it; a long job waits
/// for one such batch at most between two chunks, so neither starves.
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
    // Short writers to let go before the next chunk of a long job: those that queued while its last chunk held the turn.
    private int _shortBeforeLong;

    /// <summary>The turn of the writers of one database (by connection string).</summary>
    public static SqliteWriterTurn Of(string connectionString) => Files.GetOrAdd(connectionString, _ => new SqliteWriterTurn());

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
        var asked = Stopwatch.GetTimestamp();
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
        WaitTime.Record(Stopwatch.GetElapsedTime(asked).TotalMilliseconds);
    }

    public void Release()
    {
        var held = Stopwatch.GetElapsedTime(Volatile.Read(ref _heldSince));
        HoldTime.Record(held.TotalMilliseconds);
        lock (_gate)
        {
            if (_heldByLong)
                _shortBeforeLong = _short.Count;
            var next = _short.Count > 0 && (_shortBeforeLong > 0 || _long.Count == 0) ? _short
                : _long.Count > 0 ? _long
                : null;
            if (next is null)
            {
                _held = false;
                return;
            }
            var waiter = next.First!.Value;
            next.RemoveFirst();
            if (next == _short)
                _shortBeforeLong = Math.Max(0, _shortBeforeLong - 1);
            Grant(next == _long);
            waiter.SetResult();
        }
    }

    private void Grant(bool longJob)
    {
        _held = true;
        _heldByLong = longJob;
        _heldSince = Stopwatch.GetTimestamp();
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
