using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;

namespace Rectify.Data;

/// <summary>
/// Group commit of short saves on SQLite (a user's report, review, withdrawal: the workflow resumes they carry).
/// Each commit syncs the WAL to disk, and that sync, not the writing, is most of a short save's time; so the saves
/// that queue while one group commits are written together in the next group: one transaction, one sync.
/// Each member writes under its own savepoint: one that fails (a rule, a revision conflict, a broken row) is rolled
/// back alone and gets its own error, the others go on. A member is answered only after the commit that holds its
/// rows, or with the error that kept them out; none is answered before. A group holds this process's writer turn
/// (<see cref="SqliteWriterTurn"/>) like any save and stops taking members after <see cref="MaxGroupTime"/>, so a
/// writer waiting behind it waits for a short group, not for the queue. The members' bulk rows share their prepared
/// statements (<see cref="BulkWrite.ShareStatements"/>): the group's first save prepares what the others run again.
/// </summary>
public sealed class SqliteGroupCommit
{
    private const int MaxMembers = 64;
    private const string Savepoint = "group_member";
    private static readonly ConcurrentDictionary<string, SqliteGroupCommit> Files = new();
    private static readonly Meter Meter = new("Rectify.Data");

    /// <summary>Saves committed per group: how much the grouping gathers.</summary>
    public static readonly Histogram<int> GroupSize = Meter.CreateHistogram<int>("rectify.sqlite.group_commit.size");

    private readonly string _connectionString;
    private readonly SqliteWriterTurn _turn;
    private readonly Lock _gate = new();
    private readonly Queue<Member> _queue = new();
    private bool _running;
    private long _committed;

    private SqliteGroupCommit(string connectionString, SqliteWriterTurn turn)
    {
        _connectionString = connectionString;
        _turn = turn;
    }

    /// <summary>
    /// How long a group takes members: those still queued after it go to the next group, so that a writer waiting
    /// for the turn waits for this much writing (and one commit), not for the whole queue.
    /// </summary>
    public TimeSpan MaxGroupTime { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Saves waiting for a group now (those of the group being written not counted).</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
                return _queue.Count;
        }
    }

    /// <summary>Groups committed so far.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>The committer of one database (by connection string).</summary>
    public static SqliteGroupCommit Of(string connectionString) =>
        Files.GetOrAdd(connectionString, cs => new SqliteGroupCommit(cs, SqliteWriterTurn.Of(cs)));

    /// <summary>
    /// Queues <paramref name="write"/> (which writes on the group's connection and transaction and returns its row
    /// count) and completes once it is committed, or with its own error, or with the group's when the commit failed.
    /// </summary>
    public Task<int> WriteAsync(Func<SqliteConnection, SqliteTransaction, Task<int>> write)
    {
        var member = new Member(write);
        bool start;
        lock (_gate)
        {
            _queue.Enqueue(member);
            start = !_running;
            _running = true;
        }
        // One loop per database while saves are queued; it ends when the queue is empty.
        if (start)
            BackgroundLoop.Start(RunAsync);
        return member.Outcome.Task;
    }

    private async Task RunAsync()
    {
        while (true)
        {
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _running = false;
                    return;
                }
            }
            await CommitGroupAsync();
        }
    }

    private bool TryTake(out Member member)
    {
        lock (_gate)
            return _queue.TryDequeue(out member!);
    }

    private async Task CommitGroupAsync()
    {
        var written = new List<(Member Member, int Rows)>();
        var taken = 0;
        await _turn.WaitAsync(longJob: false, CancellationToken.None);
        try
        {
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync();
            SqliteConnectionSetup.Apply(connection);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            await using var shared = BulkWrite.ShareStatements(connection);
            var started = Stopwatch.GetTimestamp();
            // Members that queue while this group writes join it, up to the bounds.
            while (written.Count < MaxMembers && Stopwatch.GetElapsedTime(started) < MaxGroupTime && TryTake(out var member))
            {
                taken++;
                await transaction.SaveAsync(Savepoint);
                try
                {
                    var rows = await member.Write(connection, transaction);
                    await transaction.ReleaseAsync(Savepoint);
                    written.Add((member, rows));
                }
                catch (Exception e)
                {
                    member.Outcome.TrySetException(e);
                    await transaction.RollbackAsync(Savepoint);
                }
            }
            await transaction.CommitAsync();
        }
        catch (Exception e)
        {
            // Nothing of this group was committed: every member written so far gets the error.
            foreach (var (member, _) in written)
                member.Outcome.TrySetException(e);
            // Failed before taking any (the file could not be opened): the first in the queue gets the error, so the
            // loop moves on instead of retrying the same group.
            if (taken == 0 && TryTake(out var first))
                first.Outcome.TrySetException(e);
            return;
        }
        finally
        {
            _turn.Release();
        }
        Interlocked.Increment(ref _committed);
        GroupSize.Record(written.Count);
        foreach (var (member, rows) in written)
            member.Outcome.TrySetResult(rows);
    }

    private sealed class Member(Func<SqliteConnection, SqliteTransaction, Task<int>> write)
    {
        public Func<SqliteConnection, SqliteTransaction, Task<int>> Write { get; } = write;

        public TaskCompletionSource<int> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
