using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Rectify.Data;

namespace Rectify.Auditing;

/// <summary>The chain's last entry: its position and hash (what an issued notice records).</summary>
public sealed record AuditChainHead(long Sequence, string Hash);

/// <summary>
/// The audit log as a hash chain. An entry's hash is the SHA-256 of its canonical content (<see cref="CanonicalContent"/>),
/// which includes its position and the previous entry's hash, so a row changed, removed or added in the database
/// afterwards no longer matches, or breaks the link of the row after it.
/// <para>
/// Appending is serialised so that two writers never link to the same head. On PostgreSQL each appending transaction
/// takes one advisory transaction lock just before it writes its audit rows (the save's own rows are written before,
/// so the lock is held only from there to the commit, and nodes take turns only for that part). On SQLite every saving
/// transaction is BEGIN IMMEDIATE and so holds the file's single write lock already, whichever process it runs in.
/// The unique index on <see cref="AuditEvent.Sequence"/> is the backstop: a writer that bypassed the lock fails
/// instead of forking the chain.
/// </para>
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of the first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    // pg_advisory_xact_lock's key for "the audit chain": any constant, the same on every node ("RECTAUDI").
    private const long LockKey = 0x5245_4354_4155_4449;
    private const string Table = "\"AuditEvent\"";
    private const string Columns =
        "\"Id\", \"Sequence\", \"At\", \"ActorId\", \"ActorName\", \"EntityType\", \"EntityId\", \"Action\", \"Before\", \"After\", \"FindingId\", \"PreviousHash\", \"Hash\"";
    private const int SealBatch = 2_000;

    /// <summary>
    /// Links <paramref name="events"/> to the head and writes them, on the context's open transaction (the caller's
    /// save): takes the chain's lock, reads the head, numbers and hashes the new entries in order.
    /// </summary>
    internal static async Task<int> AppendAsync(RectifyDb db, IReadOnlyList<AuditEvent> events, CancellationToken ct)
    {
        if (events.Count == 0)
            return 0;
        var head = await LockedHeadAsync(db, ct);
        var content = new CanonicalContent();
        var (sequence, previous) = head is null ? (0L, Genesis) : (head.Sequence, head.Hash);
        foreach (var e in events)
        {
            // Stored as milliseconds on SQLite: the hashed instant is exactly the one stored, on both providers.
            e.At = DateTimeOffset.FromUnixTimeMilliseconds(e.At.ToUnixTimeMilliseconds());
            e.Sequence = ++sequence;
            e.PreviousHash = previous;
            e.Hash = previous = content.HashOf(e);
        }
        return await BulkWrite.AppendAsync(db, events, ct);
    }

    /// <summary>The head as committed now (null while the log is empty).</summary>
    public static Task<AuditChainHead?> HeadAsync(RectifyDb db, CancellationToken ct = default) =>
        OpenConnection.RunAsync(db, async () =>
            await ReadHeadAsync(db, ct) is { Hash: { } hash } head ? new AuditChainHead(head.Sequence, hash) : null, ct);

    /// <summary>
    /// Chains the entries written before the chain existed (the migration numbered them by id, in the order they were
    /// written): deterministic, since each hash depends only on the stored row and the one before. Run at start; a
    /// no-op once done.
    /// </summary>
    public static async Task SealAsync(RectifyDb db, CancellationToken ct = default)
    {
        await using var transaction = await db.BeginWriteTransactionAsync(ct);
        await LockedHeadAsync(db, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>Takes the chain's lock in the current transaction and returns the head, sealing older entries first.</summary>
    private static async Task<AuditChainHead?> LockedHeadAsync(RectifyDb db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({LockKey})", ct);
        var head = await ReadHeadAsync(db, ct);
        if (head is null)
            return null;
        return head.Value.Hash is { } hash ? new AuditChainHead(head.Value.Sequence, hash) : await SealUnchainedAsync(db, ct);
    }

    private static async Task<(long Sequence, string? Hash)?> ReadHeadAsync(RectifyDb db, CancellationToken ct)
    {
        await using var command = Command(db, $"SELECT \"Sequence\", \"Hash\" FROM {Table} ORDER BY \"Sequence\" DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1)) : null;
    }

    private static async Task<AuditChainHead> SealUnchainedAsync(RectifyDb db, CancellationToken ct)
    {
        var sqlite = db.Database.IsSqlite();
        var content = new CanonicalContent();
        AuditChainHead? head = null;
        // The last chained entry before the first unchained one, if any.
        await using (var before = Command(db,
                         $"SELECT \"Sequence\", \"Hash\" FROM {Table} WHERE \"Hash\" IS NOT NULL AND \"Sequence\" < (SELECT MIN(\"Sequence\") FROM {Table} WHERE \"Hash\" IS NULL) ORDER BY \"Sequence\" DESC LIMIT 1"))
        await using (var reader = await before.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
                head = new AuditChainHead(reader.GetInt64(0), reader.GetString(1));
        }
        var previous = head?.Hash ?? Genesis;
        while (true)
        {
            var batch = new List<AuditEvent>(SealBatch);
            await using (var select = Command(db, $"SELECT {Columns} FROM {Table} WHERE \"Hash\" IS NULL ORDER BY \"Sequence\" LIMIT {SealBatch}"))
            await using (var reader = await select.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var e = NewRow();
                    Read(reader, e, sqlite);
                    batch.Add(e);
                }
            }
            if (batch.Count == 0)
                return head!;
            await using var update = Command(db, $"UPDATE {Table} SET \"PreviousHash\" = @previous, \"Hash\" = @hash WHERE \"Id\" = @id");
            var (previousParameter, hashParameter, idParameter) = (Parameter(update, "previous"), Parameter(update, "hash"), Parameter(update, "id"));
            foreach (var e in batch)
            {
                e.PreviousHash = previous;
                e.Hash = previous = content.HashOf(e);
                (previousParameter.Value, hashParameter.Value, idParameter.Value) = (e.PreviousHash, e.Hash, e.Id);
                await update.ExecuteNonQueryAsync(ct);
                head = new AuditChainHead(e.Sequence, e.Hash);
            }
        }
    }

    /// <summary>
    /// Checks the whole chain in order, as stored now: each entry's content against its hash, its link against the
    /// entry before, its position against the one before, and each issued notice's recorded head against the entry
    /// at that position. One pass, streamed.
    /// </summary>
    public static Task<AuditChainReport> VerifyAsync(RectifyDb db, IAuditAnchors? anchorSource = null, CancellationToken ct = default) =>
        OpenConnection.RunAsync(db, () => VerifyOpenAsync(db, anchorSource, ct), ct);

    private static async Task<AuditChainReport> VerifyOpenAsync(RectifyDb db, IAuditAnchors? anchorSource, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var anchors = anchorSource is null ? [] : await anchorSource.ListAsync(db, ct);
        var anchorBreaks = new List<AuditAnchor>();
        var nextAnchor = 0;
        var sqlite = db.Database.IsSqlite();
        var content = new CanonicalContent();
        var stored = new byte[32];
        var row = NewRow();
        long entries = 0, broken = 0, lastSequence = 0;
        string lastHash = Genesis;
        AuditChainBreak? first = null;
        await using (var command = Command(db, $"SELECT {Columns} FROM {Table} ORDER BY \"Sequence\""))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                Read(reader, row, sqlite);
                entries++;
                var kind = !content.Matches(row, stored) ? AuditBreakKind.Content
                    : row.Sequence != lastSequence + 1 ? AuditBreakKind.Missing
                    : row.PreviousHash != lastHash ? AuditBreakKind.Link
                    : (AuditBreakKind?)null;
                if (kind is { } k)
                {
                    broken++;
                    first ??= new AuditChainBreak(k, row.Id, row.Sequence, lastSequence, row.At, row.ActorName, row.Action, row.EntityType, row.EntityId);
                }
                for (; nextAnchor < anchors.Count && anchors[nextAnchor].Sequence <= row.Sequence; nextAnchor++)
                {
                    if (anchors[nextAnchor].Sequence < row.Sequence || anchors[nextAnchor].Hash != row.Hash)
                        anchorBreaks.Add(anchors[nextAnchor]);
                }
                (lastSequence, lastHash) = (row.Sequence, row.Hash ?? "");
            }
        }
        // A notice recorded a head beyond the last entry: the history after some entry was cut off.
        anchorBreaks.AddRange(anchors.Skip(nextAnchor));
        return new AuditChainReport(entries, broken, first, entries == 0 ? null : new AuditChainHead(lastSequence, lastHash),
            anchors.Count, anchorBreaks, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    private static AuditEvent NewRow() => new() { EntityType = "", EntityId = "", Action = "" };

    private static void Read(DbDataReader r, AuditEvent e, bool sqlite)
    {
        e.Id = r.GetInt64(0);
        e.Sequence = r.GetInt64(1);
        e.At = sqlite ? DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)) : r.GetFieldValue<DateTimeOffset>(2);
        e.ActorId = r.GetString(3);
        e.ActorName = r.GetString(4);
        e.EntityType = r.GetString(5);
        e.EntityId = r.GetString(6);
        e.Action = r.GetString(7);
        e.Before = r.IsDBNull(8) ? null : r.GetString(8);
        e.After = r.IsDBNull(9) ? null : r.GetString(9);
        e.FindingId = r.IsDBNull(10) ? null : r.GetInt32(10);
        e.PreviousHash = r.IsDBNull(11) ? null : r.GetString(11);
        e.Hash = r.IsDBNull(12) ? null : r.GetString(12);
    }

    /// <summary>
    /// A command on the context's connection and current transaction; the caller holds the connection open (a save's
    /// transaction, or <see cref="OpenConnection"/>), so this never opens one it would not close.
    /// </summary>
    private static DbCommand Command(RectifyDb db, string sql)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}

/// <summary>
/// The bytes an entry's hash covers, in a fixed order: a version line, then position, instant (Unix milliseconds, UTC),
/// actor id and name, entity type and id, action, before, after, finding id and the previous hash. A text is its UTF-8
/// byte count, a colon and its bytes; a number is decimal; a null is "~"; each field ends with a line feed. Nothing
/// is ambiguous, so no two different entries share their bytes. One instance reuses its buffer (not thread-safe).
/// </summary>
public sealed class CanonicalContent
{
    private static readonly byte[] Version = "rectify-audit-1\n"u8.ToArray();
    private byte[] _buffer = new byte[4096];
    private int _length;

    /// <summary>The canonical bytes of <paramref name="e"/>, valid until the next call.</summary>
    public ReadOnlySpan<byte> Of(AuditEvent e)
    {
        _length = 0;
        Append(Version);
        Number(e.Sequence);
        Number(e.At.ToUnixTimeMilliseconds());
        Text(e.ActorId);
        Text(e.ActorName);
        Text(e.EntityType);
        Text(e.EntityId);
        Text(e.Action);
        Text(e.Before);
        Text(e.After);
        Number(e.FindingId);
        Text(e.PreviousHash);
        return _buffer.AsSpan(0, _length);
    }

    /// <summary>The entry's hash as stored: SHA-256 of its canonical bytes, lower-case hex.</summary>
    public string HashOf(AuditEvent e)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Of(e), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Whether the entry's stored hash is the hash of its content (<paramref name="scratch"/>: 32 bytes).</summary>
    public bool Matches(AuditEvent e, Span<byte> scratch)
    {
        if (e.Hash is not { Length: 64 } hex || Convert.FromHexString(hex, scratch, out _, out _) != System.Buffers.OperationStatus.Done)
            return false;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Of(e), hash);
        return hash.SequenceEqual(scratch);
    }

    private void Number(long? value)
    {
        if (value is null)
        {
            Append("~\n"u8);
            return;
        }
        Reserve(21);
        value.Value.TryFormat(_buffer.AsSpan(_length), out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
        _buffer[_length++] = (byte)'\n';
    }

    private void Text(string? value)
    {
        if (value is null)
        {
            Append("~\n"u8);
            return;
        }
        var count = Encoding.UTF8.GetByteCount(value);
        Reserve(count + 22);
        count.TryFormat(_buffer.AsSpan(_length), out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
        _buffer[_length++] = (byte)':';
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        _buffer[_length++] = (byte)'\n';
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Reserve(int more)
    {
        if (_length + more > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
    }
}
