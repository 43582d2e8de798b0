using Microsoft.EntityFrameworkCore;

namespace Rectify.Data;

/// <summary>
/// Work that needs the context's connection open across several commands. EF counts the opens of a context's
/// connection, and a pooled context returned asynchronously keeps that count: one open left unclosed makes every later
/// renter's queries leave the connection open, so its saves can never join a group commit (<see cref="SqliteGroupCommit"/>).
/// </summary>
internal static class OpenConnection
{
    public static Task RunAsync(RectifyDb db, Func<Task> work, CancellationToken ct) =>
        RunAsync(db, async () =>
        {
            await work();
            return true;
        }, ct);

    public static async Task<T> RunAsync<T>(RectifyDb db, Func<Task<T>> work, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return await work();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
