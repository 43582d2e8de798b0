using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Rectify.Data;

/// <summary>
/// Sets up every connection as it opens:
/// - SQLite itself waits for the write lock (its busy handler retries after 1, 2, 5, 10 … ms) for up to 30 s.
///   Without one, Microsoft.Data.Sqlite retries every 150 ms, so a transaction that found the lock taken stalled for
///   150 ms even when the holder needed two.
/// - Commits leave checkpointing the WAL to <see cref="SqliteCheckpointer"/>, outside the writer turn, unless writers
///   outrun it: past <see cref="SqliteCheckpointer.BackstopPages"/> the commit checkpoints itself, as SQLite does.
/// </summary>
internal sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public static readonly SqliteConnectionSetup Instance = new();
    private const int TimeoutMilliseconds = 30_000;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    // A native call on the open handle, no command: pooled connections pay next to nothing per open.
    internal static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            SQLitePCL.raw.sqlite3_busy_timeout(handle, TimeoutMilliseconds);
            SQLitePCL.raw.sqlite3_wal_autocheckpoint(handle, SqliteCheckpointer.BackstopPages);
        }
    }
}
