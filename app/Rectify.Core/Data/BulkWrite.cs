using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Rectify.Data;

/// <summary>
/// Writes the rows a save adds by the thousand inside the save's transaction, then marks them saved: EF sends one
/// statement per row, on SQLite a freshly prepared one each, and issuing a notice adds a dozen rows per finding, a
/// round of timers removes a few per timer. Here each statement is prepared once per save and number of rows it
/// takes: on SQLite one row, run again for every row; on PostgreSQL many rows at a time. Saves written one after the
/// other on one connection (a group commit's, <see cref="ShareStatements"/>) share the prepared statements, and each
/// statement's text is built once per model.
/// The types are the modules' (<see cref="DbModule"/>):
/// - Workflow instances, bookmarks and timers, and a notice's finding list: added and removed by key. Rows a save
///   both removes and adds under one key are left to EF (it turns the pair into an update), and so are rows with a
///   temporary key. A removal that finds fewer rows than it names fails the save as a concurrency conflict, as EF's
///   own would: another node fired that timer or resumed that bookmark first.
/// - Workflow instances changed by a run: updated by key with one statement per group of rows, each row's
///   concurrency token (its revision) compared with the value read; a statement that updates fewer rows than it
///   names fails the save as EF's own update would (another node resumed that instance first).
/// - Outbox messages: appended without their generated id, which nothing reads in the saving scope, and no
///   longer tracked afterwards (the sender reads them back from the table). A message its deduplication key and
///   address already hold is left out by the insert itself (<see cref="DbModule.BulkAppended"/>).
/// - Audit events (<see cref="AppendAsync"/>): written without ever being tracked.
/// </summary>
internal sealed class BulkWrite
{
    // On PostgreSQL many rows go in one statement: one round trip each. On SQLite, in process, a statement costs more to
    // prepare than to run, so one prepared single-row statement runs once per row (Statements).
    private const int MaxParameters = 100;

    private readonly List<List<EntityEntry>> _inserts;
    private readonly List<List<EntityEntry>> _deletes;
    private readonly List<List<EntityEntry>> _updates;
    private readonly List<List<EntityEntry>> _appends;
    // The updated rows as read, to put back if the save fails.
    private readonly List<(EntityEntry Entry, PropertyValues Original, IProperty[] Changed)> _updated = [];

    private BulkWrite(List<List<EntityEntry>> inserts, List<List<EntityEntry>> deletes, List<List<EntityEntry>> updates, List<List<EntityEntry>> appends)
    {
        _inserts = inserts;
        _deletes = deletes;
        _updates = updates;
        _appends = appends;
    }

    public bool IsEmpty => _inserts.Count == 0 && _deletes.Count == 0 && _updates.Count == 0 && _appends.Count == 0;

    public static readonly BulkWrite None = new([], [], [], []);

    /// <summary>The rows this path takes, by type in dependency order (an instance before the rows that refer to it).</summary>
    public static BulkWrite Pending(IEnumerable<EntityEntry> tracked, DbModules modules)
    {
        Type[] types = modules.BulkInserted, appended = modules.BulkAppended;
        var entries = tracked.Where(e => e.State is EntityState.Added or EntityState.Deleted
                                         && (Array.IndexOf(types, e.Metadata.ClrType) >= 0 || Array.IndexOf(appended, e.Metadata.ClrType) >= 0))
            .Select(e => (Entry: e, Key: Key(e))).ToList();
        var keysTwice = entries.GroupBy(e => e.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        List<List<EntityEntry>> Take(EntityState state, IEnumerable<Type> types, Func<PropertyEntry, bool> unknownYet) => types
            .Select(type => entries.Where(e => e.Entry.Metadata.ClrType == type && e.Entry.State == state
                                               && !e.Entry.Properties.Any(unknownYet) && !keysTwice.Contains(e.Key))
                .Select(e => e.Entry).ToList())
            .Where(g => g.Count > 0).ToList();
        // One statement per type and set of changed columns (a run changes the same ones of every instance).
        var updates = tracked.Where(e => e.State == EntityState.Modified && Array.IndexOf(modules.BulkUpdated, e.Metadata.ClrType) >= 0)
            .GroupBy(e => (e.Metadata.ClrType, string.Join(",", e.Properties.Where(p => p.IsModified).Select(p => p.Metadata.Name))))
            .Select(g => g.ToList()).ToList();
        return new BulkWrite(
            Take(EntityState.Added, types, p => p.IsTemporary),
            // An instance is removed by EF: its delete checks the revision.
            Take(EntityState.Deleted, modules.BulkDeleted, p => p.IsTemporary),
            updates,
            // Appended rows may only refer to rows that exist already (their own key is the database's to generate).
            Take(EntityState.Added, appended, p => p.IsTemporary && !p.Metadata.IsPrimaryKey()));
    }

    /// <summary>Inserts untracked rows of one type, leaving out a key the database generates, on the context's transaction.</summary>
    public static async Task<int> AppendAsync<T>(DbContext db, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0)
            return 0;
        var type = db.Model.FindEntityType(typeof(T))!;
        await using var statements = new Statements(db);
        var insert = statements.Insert(type, withKey: false, skipHeld: false);
        return await insert.RunAllAsync(rows.Select(row => (Func<int, object?>)(i => insert.Properties[i].GetGetter().GetClrValue(row))).ToList(), ct);
    }

    /// <summary>Writes the rows on the context's open transaction and marks them as EF would after saving; returns how many.</summary>
    public async Task<int> ExecuteAsync(DbContext db, CancellationToken ct)
    {
        await using var statements = new Statements(db);
        var written = 0;
        // Removals first: a row removed under one key never blocks one added under another.
        foreach (var group in _deletes)
        {
            var delete = statements.Delete(group[0].Metadata);
            foreach (var chunk in group.Chunk(statements.RowsPerStatement(delete.Properties.Count)))
            {
                var removed = await delete.RunAsync(Values([.. chunk], delete.Properties), ct);
                if (removed != chunk.Length)
                    throw new DbUpdateConcurrencyException($"{chunk.Length - removed} of {chunk.Length} {group[0].Metadata.ClrType.Name} rows to remove were removed meanwhile.");
                written += removed;
            }
        }
        foreach (var group in _updates)
            written += await UpdateAsync(statements, group, ct);
        foreach (var group in _inserts)
        {
            var insert = statements.Insert(group[0].Metadata, withKey: true, skipHeld: false);
            written += await insert.RunAllAsync(Values(group, insert.Properties), ct);
        }
        foreach (var group in _appends)
        {
            var insert = statements.Insert(group[0].Metadata, withKey: false, skipHeld: true);
            written += await insert.RunAllAsync(Values(group, insert.Properties), ct);
        }
        foreach (var entry in _deletes.SelectMany(g => g).Concat(_appends.SelectMany(g => g)))
            entry.State = EntityState.Detached;
        foreach (var entry in _inserts.SelectMany(g => g))
            entry.State = EntityState.Unchanged;
        return written;
    }

    private static List<Func<int, object?>> Values(List<EntityEntry> entries, IReadOnlyList<IProperty> properties) =>
        entries.Select(entry => (Func<int, object?>)(i => entry.Property(properties[i]).CurrentValue)).ToList();

    /// <summary>
    /// Updates rows that changed the same columns with one statement per chunk, joined by key and by each concurrency
    /// token's value as read, then marks them saved; fewer rows updated than named is a concurrency conflict.
    /// </summary>
    private async Task<int> UpdateAsync(Statements statements, List<EntityEntry> group, CancellationToken ct)
    {
        var type = group[0].Metadata;
        var changed = group[0].Properties.Where(p => p.IsModified).Select(p => p.Metadata).ToArray();
        var update = statements.Update(type, changed);
        var columns = update.Properties;
        var matched = columns.Count - changed.Length;
        var written = 0;
        foreach (var chunk in group.Chunk(statements.RowsPerStatement(columns.Count)))
        {
            var updated = await update.RunAsync(chunk.Select(entry => (Func<int, object?>)(i =>
                i < matched ? entry.Property(columns[i]).OriginalValue : entry.Property(columns[i]).CurrentValue)).ToList(), ct);
            if (updated != chunk.Length)
                throw new DbUpdateConcurrencyException($"{chunk.Length - updated} of {chunk.Length} {type.ClrType.Name} rows to update were changed or removed meanwhile.");
            foreach (var entry in chunk)
            {
                _updated.Add((entry, entry.OriginalValues.Clone(), changed));
                entry.OriginalValues.SetValues(entry.CurrentValues);
                entry.State = EntityState.Unchanged;
            }
            written += updated;
        }
        return written;
    }

    /// <summary>Puts the rows back as they were before a failed save, so the context still holds what was not written.</summary>
    public void Undo()
    {
        foreach (var entry in _deletes.SelectMany(g => g).Where(e => e.State == EntityState.Detached))
            entry.State = EntityState.Deleted;
        foreach (var entry in _inserts.SelectMany(g => g).Where(e => e.State == EntityState.Unchanged))
            entry.State = EntityState.Added;
        foreach (var entry in _appends.SelectMany(g => g).Where(e => e.State == EntityState.Detached))
            entry.State = EntityState.Added;
        foreach (var (entry, original, changed) in _updated)
        {
            entry.OriginalValues.SetValues(original);
            foreach (var property in changed)
                entry.Property(property).IsModified = true;
        }
        _updated.Clear();
    }

    private static StoreObjectIdentifier Table(IEntityType type) => StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());

    /// <summary>The row list "(@p0, @p1), (@p2, @p3) …" of <paramref name="rows"/> rows.</summary>
    private static string Rows(int rows, int columns)
    {
        var text = new StringBuilder();
        for (var n = 0; n < rows * columns; n++)
            text.Append(n % columns == 0 ? (n == 0 ? "(" : "), (") : ", ").Append(ParameterName(n));
        return text.Append(')').ToString();
    }

    // A chunk names at most MaxParameters, or one row's columns when a row has more.
    private static readonly string[] ParameterNames = [.. Enumerable.Range(0, MaxParameters).Select(n => $"@p{n}")];

    private static string ParameterName(int n) => n < ParameterNames.Length ? ParameterNames[n] : $"@p{n}";

    /// <summary>Commands prepared on a connection whose saves share them (<see cref="ShareStatements"/>), by their text.</summary>
    private static readonly ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> Shared = new();

    /// <summary>
    /// Lets the saves written on <paramref name="connection"/>, one after the other and on one transaction (a group
    /// commit's), share their prepared statements: on SQLite preparing costs more than running, and a group's saves
    /// run the same few. Disposing the result disposes them.
    /// </summary>
    public static IAsyncDisposable ShareStatements(DbConnection connection)
    {
        var prepared = new Dictionary<string, DbCommand>();
        Shared.Add(connection, prepared);
        return new SharedStatements(connection, prepared);
    }

    private sealed class SharedStatements(DbConnection connection, Dictionary<string, DbCommand> prepared) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Shared.Remove(connection);
            foreach (var command in prepared.Values)
                await command.DisposeAsync();
        }
    }

    /// <summary>The statements of one write on the context's transaction; disposes the commands it prepared itself.</summary>
    private sealed class Statements(DbContext db) : IAsyncDisposable
    {
        private readonly DbConnection _connection = db.Database.GetDbConnection();
        private readonly DbTransaction _transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        private readonly bool _oneRowEach = db.Database.IsSqlite();
        private readonly ISqlGenerationHelper _sql = db.GetService<ISqlGenerationHelper>();
        private readonly Dictionary<string, DbCommand> _own = [];

        public int RowsPerStatement(int columns) => _oneRowEach ? 1 : Math.Max(1, MaxParameters / columns);

        /// <summary>Removes rows by key.</summary>
        public Statement Delete(IEntityType type) => new(this, type, StatementText.Of(type, "delete", () =>
        {
            var (name, column) = Names(type);
            var key = type.FindPrimaryKey()!.Properties;
            return new StatementText($"DELETE FROM {name} WHERE ({string.Join(", ", key.Select(column))}) IN (", ")", key);
        }));

        /// <summary>Updates the <paramref name="changed"/> columns of rows matched by key and concurrency tokens.</summary>
        public Statement Update(IEntityType type, IProperty[] changed) => new(this, type, StatementText.Of(type, "update " + string.Join(",", changed.Select(p => p.Name)), () =>
        {
            var (name, column) = Names(type);
            IProperty[] match = [.. type.FindPrimaryKey()!.Properties, .. type.GetProperties().Where(p => p.IsConcurrencyToken)];
            // The columns of a VALUES list are column1, column2 … on SQLite and PostgreSQL alike.
            var set = string.Join(", ", changed.Select((p, i) => $"{column(p)} = v.column{match.Length + i + 1}"));
            var where = string.Join(" AND ", match.Select((p, i) => $"{name}.{column(p)} = v.column{i + 1}"));
            return new StatementText($"UPDATE {name} SET {set} FROM (VALUES ", $") AS v WHERE {where}", [.. match, .. changed]);
        }));

        /// <summary>Inserts rows, their key too unless the database generates it; <paramref name="skipHeld"/> leaves out a row a unique index already holds.</summary>
        public Statement Insert(IEntityType type, bool withKey, bool skipHeld) => new(this, type, StatementText.Of(type, $"insert {withKey} {skipHeld}", () =>
        {
            var (name, column) = Names(type);
            var properties = type.GetProperties().Where(p => withKey || !p.IsPrimaryKey() || p.ValueGenerated == ValueGenerated.Never).ToList();
            // The same clause on SQLite and PostgreSQL.
            return new StatementText($"INSERT INTO {name} ({string.Join(", ", properties.Select(column))}) VALUES ", skipHeld ? " ON CONFLICT DO NOTHING" : "", properties);
        }));

        private (string Table, Func<IProperty, string> Column) Names(IEntityType type)
        {
            var table = Table(type);
            return (_sql.DelimitIdentifier(table.Name, table.Schema), p => _sql.DelimitIdentifier(p.GetColumnName(table)!));
        }

        public DbCommand Prepare(string sql)
        {
            var prepared = Shared.TryGetValue(_connection, out var shared) ? shared : _own;
            if (!prepared.TryGetValue(sql, out var command))
            {
                command = _connection.CreateCommand();
                command.Transaction = _transaction;
                command.CommandText = sql;
                prepared.Add(sql, command);
            }
            return command;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in _own.Values)
                await command.DisposeAsync();
        }
    }

    /// <summary>
    /// A statement's text for one type and kind of write, built once per model (names and quoting never change there),
    /// then once per number of rows: head, "(@p0, @p1), (@p2, @p3) …", tail.
    /// </summary>
    private sealed class StatementText(string head, string tail, IReadOnlyList<IProperty> properties)
    {
        private static readonly ConcurrentDictionary<(IEntityType Type, string Kind), StatementText> Built = new();
        private readonly ConcurrentDictionary<int, string> _byRows = new();

        public static StatementText Of(IEntityType type, string kind, Func<StatementText> build) =>
            Built.TryGetValue((type, kind), out var text) ? text : Built.GetOrAdd((type, kind), build());

        public IReadOnlyList<IProperty> Properties => properties;

        // The property's own mapping converts the value as EF would (enums as text, instants on SQLite as milliseconds).
        public RelationalTypeMapping[] Mappings { get; } = [.. properties.Select(p => p.GetRelationalTypeMapping())];

        public string For(int rows) => _byRows.GetOrAdd(rows, n => head + Rows(n, properties.Count) + tail);
    }

    /// <summary>One statement of a write, run once for every chunk of rows (on SQLite, every row).</summary>
    private sealed class Statement(Statements statements, IEntityType type, StatementText text)
    {
        public IReadOnlyList<IProperty> Properties => text.Properties;

        /// <summary>Runs it over all <paramref name="rows"/>, chunk by chunk; returns the rows written.</summary>
        public async Task<int> RunAllAsync(IReadOnlyList<Func<int, object?>> rows, CancellationToken ct)
        {
            var written = 0;
            foreach (var chunk in rows.Chunk(statements.RowsPerStatement(Properties.Count)))
                written += await RunAsync(chunk, ct);
            return written;
        }

        public async Task<int> RunAsync(IReadOnlyCollection<Func<int, object?>> rows, CancellationToken ct)
        {
            var command = statements.Prepare(text.For(rows.Count));
            var mappings = text.Mappings;
            command.Parameters.Clear();
            var n = 0;
            foreach (var valueOf in rows)
            {
                for (var i = 0; i < mappings.Length; i++, n++)
                    command.Parameters.Add(mappings[i].CreateParameter(command, ParameterName(n), valueOf(i)));
            }
            try
            {
                return await command.ExecuteNonQueryAsync(ct);
            }
            catch (DbException e)
            {
                // Reported as EF reports a failed save, so callers' retries (a timer fired elsewhere …) still apply.
                throw new DbUpdateException($"Writing {type.ClrType.Name} rows failed: {e.Message}", e);
            }
        }
    }

    private static (Type, string) Key(EntityEntry e) =>
        (e.Metadata.ClrType, string.Join("\u001f", e.Metadata.FindPrimaryKey()!.Properties.Select(p => e.Property(p).CurrentValue)));
}
