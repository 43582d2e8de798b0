using Microsoft.Data.Sqlite;

namespace Rectify.Data;

/// <summary>
/// Copies the WAL's pages back into the database file, mostly outside the writer turn. SQLite's own automatic
/// checkpoint runs inside the commit that crosses its threshold (1,000 pages): that writer copied and synced several
/// megabytes while holding the turn, and every writer queued behind it waited too. Connections have that threshold
/// raised to <see cref="BackstopPages"/> (<see cref="SqliteConnectionSetup"/>); the writer turn reports each write
/// here instead, and then:
/// - a passive checkpoint runs beside the writers (they go on appending to the WAL meanwhile) and copies nearly all;
/// - once the WAL has grown past SQLite's threshold, a second one takes the turn and copies the few pages written
///   since. Only a WAL copied to its end, at a moment no writer appends, starts again from its beginning; without
///   that pass it would grow for as long as writes keep coming.
/// Writers faster than the disk can copy would still outrun this; past the backstop their commits checkpoint
/// themselves again, which holds them back as SQLite always did.
/// </summary>
public sealed class SqliteCheckpointer
{
    /// <summary>How long the writes after one checkpoint gather before the next: at most ten checkpoints a second.</summary>
    public static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(100);

    /// <summary>SQLite's own threshold for its automatic checkpoint, in pages: here, for the pass that takes the turn.</summary>
    private const int RestartAfterPages = 1000;

    /// <summary>The WAL's size (in pages, 16 MB of 4 KB) past which a commit checkpoints itself.</summary>
    public const int BackstopPages = 4 * RestartAfterPages;

    private readonly string _connectionString;
    private readonly SqliteWriterTurn _turn;
    private int _writes;
    private int _running;

    internal SqliteCheckpointer(string connectionString, SqliteWriterTurn turn)
    {
        // Its own connection, not pooled, that never creates the file: a checkpoint that starts after the database's
        // files were removed (a test's clean-up, a restore) fails instead of leaving an empty database behind.
        _connectionString = new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        _turn = turn;
    }

    /// <summary>Whether a checkpoint is waiting for writes to gather or running.</summary>
    public bool Busy => Volatile.Read(ref _running) == 1;

    /// <summary>A write ended: a checkpoint follows soon, one for all the writes of the next moments.</summary>
    public void Wrote()
    {
        Interlocked.Increment(ref _writes);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
            BackgroundLoop.Start(RunAsync);
    }

    private async Task RunAsync()
    {
        do
        {
            while (Interlocked.Exchange(ref _writes, 0) > 0)
            {
                // Real time on purpose: this paces the disk, it is not a moment of the office's calendar.
                await Task.Delay(Gathering);
                await CheckpointAsync();
            }
            Volatile.Write(ref _running, 0);
            // A write reported between the last look and the line above found _running still set: look again.
        } while (Volatile.Read(ref _writes) > 0 && Interlocked.CompareExchange(ref _running, 1, 0) == 0);
    }

    private async Task CheckpointAsync()
    {
        try
        {
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync();
            if (Passive(connection) < RestartAfterPages)
                return;
            await _turn.WaitAsync(longJob: false, CancellationToken.None);
            try
            {
                Passive(connection);
            }
            finally
            {
                _turn.Release(wrote: false);
            }
        }
        catch (SqliteException)
        {
            // The file is gone, or another process is checkpointing: the next write tries again, and SQLite also
            // checkpoints when the last connection to the file closes.
        }
    }

    /// <summary>Copies what no reader still needs, waiting for nobody; returns the pages the WAL holds.</summary>
    private static int Passive(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        using var reader = command.ExecuteReader();
        // busy (1 when it could not copy all it may have), pages in the WAL, pages copied; -1, -1 when not in WAL mode.
        return reader.Read() ? Math.Max(0, reader.GetInt32(1)) : 0;
    }
}
