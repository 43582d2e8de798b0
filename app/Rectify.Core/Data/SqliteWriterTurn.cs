using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore.Storage;

namespace Rectify.Data;

/// <summary>
/// SQLite has one writer per file: this process's writers take turns here, in order and without blocking a thread,
/// instead of polling the file lock (SQLite's busy handler sleeps between polls and gives up after its timeout, so a
/// writer arriving during a long write would stall and could fail with "database is locked").
/// </summary>
public sealed class SqliteWriterTurn : IDisposable
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SqliteWriterTurn> Files = new();
    private static readonly Meter Meter = new("Rectify.Data");

    /// <summary>How long a writer waited for the turn (ms): what a long write costs every other one.</summary>
    public static readonly Histogram<double> WaitTime = Meter.CreateHistogram<double>("rectify.sqlite.writer_turn.wait", "ms");

    /// <summary>How long a writer held the turn (ms).</summary>
    public static readonly Histogram<double> HoldTime = Meter.CreateHistogram<double>("rectify.sqlite.writer_turn.hold", "ms");

    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _queued;
    private long _heldSince;

    /// <summary>The turn of the writers of one database (by connection string).</summary>
    public static SqliteWriterTurn Of(string connectionString) => Files.GetOrAdd(connectionString, _ => new SqliteWriterTurn());

    /// <summary>Writers waiting for the turn now (the holder not counted).</summary>
    public int Queued => Volatile.Read(ref _queued);

    public async Task WaitAsync(CancellationToken ct)
    {
        var asked = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _queued);
        try
        {
            await _turn.WaitAsync(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
        }
        var now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _heldSince, now);
        WaitTime.Record(Stopwatch.GetElapsedTime(asked, now).TotalMilliseconds);
    }

    public void Release()
    {
        HoldTime.Record(Stopwatch.GetElapsedTime(Volatile.Read(ref _heldSince)).TotalMilliseconds);
        _turn.Release();
    }

    // Turns live as long as the process; disposing one is for completeness only.
    public void Dispose() => _turn.Dispose();
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
