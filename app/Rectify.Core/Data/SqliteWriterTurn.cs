using Microsoft.EntityFrameworkCore.Storage;

namespace Rectify.Data;

/// <summary>
/// SQLite has one writer per file: this process's writers take turns here, in order and without blocking a thread,
/// instead of polling the file lock (SQLite's busy handler sleeps between polls and gives up after its timeout, so a
/// writer arriving during a long write would stall and could fail with "database is locked").
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification =
    "A turn lives as long as the process and any writer of its file may still wait on it; its semaphore never creates a wait handle, so nothing is left to release.")]
public sealed class SqliteWriterTurn
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SqliteWriterTurn> Files = new();
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _queued;

    /// <summary>The turn of the writers of one database (by connection string).</summary>
    public static SqliteWriterTurn Of(string connectionString) => Files.GetOrAdd(connectionString, _ => new SqliteWriterTurn());

    /// <summary>Writers waiting for the turn now (the holder not counted).</summary>
    public int Queued => Volatile.Read(ref _queued);

    public async Task WaitAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _queued);
        try
        {
            await _turn.WaitAsync(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
        }
    }

    public void Release() => _turn.Release();
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
