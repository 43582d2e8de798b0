using System.Data.Common;
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
/// takes: on SQLite one row, run again for every row; on PostgreSQL many rows at a time.
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
        var properties = Columns(type, withKey: false);
        await using var statements = new Statements(db);
        return await InsertAsync(statements, type, properties, rows.Select(row => (Func<int, object?>)(i => properties[i].GetGetter().GetClrValue(row))).ToList(), ct);
    }

    /// <summary>Writes the rows on the context's open transaction and marks them as EF would after saving; returns how many.</summary>
    public async Task<int> ExecuteAsync(DbContext db, CancellationToken ct)
    {
        await using var statements = new Statements(db);
        var written = 0;
        // Removals first: a row removed under one key never blocks one added under another.
        foreach (var group in _deletes)
        {
            var key = group[0].Metadata.FindPrimaryKey()!.Properties;
            var table = Table(group[0].Metadata);
            var columns = string.Join(", ", key.Select(p => statements.Sql.DelimitIdentifier(p.GetColumnName(table)!)));
            var delete = statements.Statement($"DELETE FROM {statements.Sql.DelimitIdentifier(table.Name, table.Schema)} WHERE ({columns}) IN (", ")", group[0].Metadata, key);
            foreach (var chunk in group.Chunk(statements.RowsPerStatement(key.Count)))
            {
                var removed = await delete.RunAsync(Values([.. chunk], key), ct);
                if (removed != chunk.Length)
                    throw new DbUpdateConcurrencyException($"{chunk.Length - removed} of {chunk.Length} {group[0].Metadata.ClrType.Name} rows to remove were removed meanwhile.");
                written += removed;
            }
        }
        foreach (var group in _updates)
            written += await UpdateAsync(statements, group, ct);
        foreach (var group in _inserts)
        {
            var properties = Columns(group[0].Metadata, withKey: true);
            written += await InsertAsync(statements, group[0].Metadata, properties, Values(group, properties), ct);
        }
        foreach (var group in _appends)
        {
            var properties = Columns(group[0].Metadata, withKey: false);
            written += await InsertAsync(statements, group[0].Metadata, properties, Values(group, properties), ct, skipHeld: true);
        }
        foreach (var entry in _deletes.SelectMany(g => g).Concat(_appends.SelectMany(g => g)))
            entry.State = EntityState.Detached;
        foreach (var entry in _inserts.SelectMany(g => g))
            entry.State = EntityState.Unchanged;
        return written;
    }

    private static List<Func<int, object?>> Values(List<EntityEntry> entries, IReadOnlyList<IProperty> properties) =>
        entries.Select(entry => (Func<int, object?>)(i => entry.Property(properties[i]).CurrentValue)).ToList();

    private static List<IProperty> Columns(IEntityType type, bool withKey) =>
        type.GetProperties().Where(p => withKey || !p.IsPrimaryKey() || p.ValueGenerated == ValueGenerated.Never).ToList();

    /// <summary>
    /// Updates rows that changed the same columns with one statement per chunk, joined by key and by each concurrency
    /// token's value as read, then marks them saved; fewer rows updated than named is a concurrency conflict.
    /// </summary>
    private async Task<int> UpdateAsync(Statements statements, List<EntityEntry> group, CancellationToken ct)
    {
        var type = group[0].Metadata;
        var table = Table(type);
        var name = statements.Sql.DelimitIdentifier(table.Name, table.Schema);
        string Column(IProperty p) => statements.Sql.DelimitIdentifier(p.GetColumnName(table)!);
        IProperty[] match = [.. type.FindPrimaryKey()!.Properties, .. type.GetProperties().Where(p => p.IsConcurrencyToken)];
        var changed = group[0].Properties.Where(p => p.IsModified).Select(p => p.Metadata).ToArray();
        IProperty[] columns = [.. match, .. changed];
        // The columns of a VALUES list are column1, column2 … on SQLite and PostgreSQL alike.
        var set = string.Join(", ", changed.Select((p, i) => $"{Column(p)} = v.column{match.Length + i + 1}"));
        var where = string.Join(" AND ", match.Select((p, i) => $"{name}.{Column(p)} = v.column{i + 1}"));
        var update = statements.Statement($"UPDATE {name} SET {set} FROM (VALUES ", $") AS v WHERE {where}", type, columns);
        var written = 0;
        foreach (var chunk in group.Chunk(statements.RowsPerStatement(columns.Length)))
        {
            var updated = await update.RunAsync(chunk.Select(entry => (Func<int, object?>)(i =>
                i < match.Length ? entry.Property(columns[i]).OriginalValue : entry.Property(columns[i]).CurrentValue)).ToList(), ct);
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

    private static async Task<int> InsertAsync(Statements statements, IEntityType type, List<IProperty> properties, IReadOnlyList<Func<int, object?>> rows,
        CancellationToken ct, bool skipHeld = false)
    {
        var table = Table(type);
        var columns = string.Join(", ", properties.Select(p => statements.Sql.DelimitIdentifier(p.GetColumnName(table)!)));
        // The same clause on SQLite and PostgreSQL: a row a unique index already holds is not written.
        var insert = statements.Statement($"INSERT INTO {statements.Sql.DelimitIdentifier(table.Name, table.Schema)} ({columns}) VALUES ",
            skipHeld ? " ON CONFLICT DO NOTHING" : "", type, properties);
        var written = 0;
        foreach (var chunk in rows.Chunk(statements.RowsPerStatement(properties.Count)))
            written += await insert.RunAsync(chunk, ct);
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

    /// <summary>The statements of one write on the context's transaction; disposes their commands.</summary>
    private sealed class Statements(DbContext db) : IAsyncDisposable
    {
        private readonly List<DbCommand> _prepared = [];
        private readonly DbConnection _connection = db.Database.GetDbConnection();
        private readonly DbTransaction _transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        private readonly bool _oneRowEach = db.Database.IsSqlite();

        public ISqlGenerationHelper Sql { get; } = db.GetService<ISqlGenerationHelper>();

        public int RowsPerStatement(int columns) => _oneRowEach ? 1 : Math.Max(1, MaxParameters / columns);

        /// <summary>A statement whose text is <paramref name="head"/>, the row list, <paramref name="tail"/>.</summary>
        public Statement Statement(string head, string tail, IEntityType type, IReadOnlyList<IProperty> properties) =>
            new(this, head, tail, type, properties);

        public DbCommand Prepare(string sql)
        {
            var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = sql;
            _prepared.Add(command);
            return command;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in _prepared)
                await command.DisposeAsync();
        }
    }

    /// <summary>
    /// One statement, prepared once per number of rows and run again for every chunk of that many (on SQLite, every
    /// row): its text is built and its command looked up once per chunk length, not per row.
    /// </summary>
    private sealed class Statement(Statements statements, string head, string tail, IEntityType type, IReadOnlyList<IProperty> properties)
    {
        private readonly Dictionary<int, DbCommand> _byRows = [];
        // The property's own mapping converts the value as EF would (enums as text, instants on SQLite as milliseconds).
        private readonly RelationalTypeMapping[] _mappings = [.. properties.Select(p => p.GetRelationalTypeMapping())];

        public async Task<int> RunAsync(IReadOnlyCollection<Func<int, object?>> rows, CancellationToken ct)
        {
            if (!_byRows.TryGetValue(rows.Count, out var command))
                _byRows.Add(rows.Count, command = statements.Prepare(head + Rows(rows.Count, _mappings.Length) + tail));
            command.Parameters.Clear();
            var n = 0;
            foreach (var valueOf in rows)
            {
                for (var i = 0; i < _mappings.Length; i++, n++)
                    command.Parameters.Add(_mappings[i].CreateParameter(command, ParameterName(n), valueOf(i)));
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
