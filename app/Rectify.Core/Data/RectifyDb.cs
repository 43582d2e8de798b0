using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Rectify.Auditing;
using Rectify.Findings;
using Rectify.Users;

namespace Rectify.Data;

/// <summary>
/// The one database of Rectify. Entity mappings live beside their feature as
/// <see cref="IEntityTypeConfiguration{TEntity}"/> classes and are picked up from this assembly and from each module's
/// (<see cref="DbModule"/>, given with the options).
/// Every change to an <see cref="IAuditable"/> entity is written as an <see cref="AuditEvent"/> in the same transaction,
/// named by the finding event that changed it (or by <see cref="AuditAs"/>). Before anything is written, the events
/// findings recorded are dispatched (<see cref="FindingEventDispatcher"/>) until no new ones come.
/// Instances are pooled (see <see cref="CoreModule"/>): a scope's actor and clock are attached when it rents one.
/// </summary>
public class RectifyDb(DbContextOptions<RectifyDb> options)
    : IdentityUserContext<AppUser>(options), IDataProtectionKeyContext
{
    private static readonly JsonSerializerOptions AuditJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Identity columns that must never be copied into the audit log.</summary>
    private static readonly HashSet<string> SecretProperties =
        ["PasswordHash", "SecurityStamp", "ConcurrencyStamp", "AccessFailedCount", "LockoutEnd"];

    private readonly DbModules _modules = DbModules.Of(options);
    /// <summary>Handlers may change findings again; a chain longer than this is a loop.</summary>
    private const int MaxDispatchRounds = 10;

    private string? _pendingAction;
    private Func<FindingEventDispatcher>? _dispatcher;
    private bool _dispatching;
    private readonly List<Action> _beforeSave = [];
    private ActorContext? _actorContext;
    private TimeProvider? _time;
    private static long s_findingsVersion;
    private static long s_referenceDataVersion;

    /// <summary>Bumped by every save in this process that changes a finding or a report; lets readers cache aggregates.</summary>
    public static long FindingsVersion => Interlocked.Read(ref s_findingsVersion);

    /// <summary>For a bulk statement that changed findings without a save (a staged issue's final step): readers drop their cached aggregates.</summary>
    public static void FindingsChangedOutsideSave() => Interlocked.Increment(ref s_findingsVersion);

    /// <summary>Bumped by every save in this process that changes a unit, a category or an inspection (what forms offer to pick).</summary>
    public static long ReferenceDataVersion => Interlocked.Read(ref s_referenceDataVersion);

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public Actor Actor => _actorContext?.Actor ?? Actor.System;

    public TimeProvider Time => _time ?? TimeProvider.System;

    /// <summary>
    /// Makes a pooled instance act for the renting scope. The scope's dispatcher is resolved at the first save that
    /// dispatches: its handlers take this context, which must exist by then.
    /// </summary>
    internal RectifyDb RentedBy(ActorContext actorContext, TimeProvider time, Func<FindingEventDispatcher> dispatcher)
    {
        _actorContext = actorContext;
        _time = time;
        _dispatcher = dispatcher;
        return this;
    }

    // Disposing returns a pooled instance to the pool: nothing of this renter's may reach the next one.
    public override void Dispose()
    {
        Forget();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    public override ValueTask DisposeAsync()
    {
        Forget();
        GC.SuppressFinalize(this);
        return base.DisposeAsync();
    }

    private void Forget()
    {
        _actorContext = null;
        _time = null;
        _dispatcher = null;
        _pendingAction = null;
        WritesLongJob = false;
        CommitsInGroup = false;
        _beforeSave.Clear();
    }

    /// <summary>
    /// Names the entries of the next save in the audit log (e.g. unit.created) instead of the generic entity.modified;
    /// entries a finding event changed carry that event's action instead.
    /// </summary>
    public void AuditAs(string action) => _pendingAction = action;

    /// <summary>
    /// This context writes a long job in chunks (a notice's issue, an import): on SQLite its writes let the short ones
    /// that queued meanwhile go first (see <see cref="SqliteWriterTurn"/>).
    /// </summary>
    public bool WritesLongJob { get; set; }

    /// <summary>
    /// Runs <paramref name="step"/> before every save of this context, ahead of the audit snapshot: a service that
    /// queued rows can settle them once per save instead of once per row (the outbox merges a fallback mail so).
    /// </summary>
    public void BeforeSave(Action step) => _beforeSave.Add(step);

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(RectifyDb).Assembly);
        foreach (var module in _modules.All)
            builder.ApplyConfigurationsFromAssembly(module.Configurations);
        // A staged issue or import is seen whole or not at all: its rows from the commit that publishes it (see
        // IssueStaging). The staging is looked up by its key in a table of a few rows, after the row's own indexes.
        builder.Entity<Finding>().HasQueryFilter(f => f.StagingId == null || Set<IssueStaging>().Any(s => s.Id == f.StagingId && s.PublishedAt != null));
        builder.Entity<Inspections.Inspection>().HasQueryFilter(i => i.StagingId == null || Set<IssueStaging>().Any(s => s.Id == i.StagingId && s.PublishedAt != null));
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset text; store instants as UTC milliseconds there.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcMillisecondsConverter>();
        }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var events = await DispatchFindingEventsAsync(cancellationToken);
        foreach (var step in _beforeSave)
            step();
        // One scan of the change tracker (each Entries() call detects changes over every tracked entity again).
        var entries = ChangeTracker.Entries().ToList();
        TextLimits.Check(entries, _modules.TextLimits);
        var audited = entries
            .Where(e => e.Entity is IAuditable && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(e => new PendingAudit(e, e.State, e.State == EntityState.Added ? null : Snapshot(e, original: true)))
            .ToList();
        // Entries a feature adds itself join the chain like the generated ones, never through EF's own insert.
        var ownEntries = entries.Where(e => e.Entity is AuditEvent && e.State == EntityState.Added).ToList();
        // Sorted before the turn: holding it is for writing only.
        var bulk = acceptAllChangesOnSuccess ? BulkWrite.Pending(entries, _modules) : BulkWrite.None;
        if (SqliteGroup() is { } group)
        {
            // Written by the group's loop on its connection: the caller's token no longer stops it once queued.
            var grouped = await group.WriteAsync((connection, transaction) => WriteInGroupAsync(connection, transaction,
                () => WriteAsync(audited, ownEntries, bulk, events, acceptAllChangesOnSuccess, CancellationToken.None)));
            NoteCommitted(audited);
            return grouped;
        }
        var writer = SqliteWriter();
        if (writer is not null)
            await writer.WaitAsync(WritesLongJob, cancellationToken);
        var writing = Stopwatch.GetTimestamp();
        try
        {
            var written = await WriteAsync(audited, ownEntries, bulk, events, acceptAllChangesOnSuccess, cancellationToken);
            NoteCommitted(audited);
            return written;
        }
        finally
        {
            writer?.Release();
            LastWriteTime = Stopwatch.GetElapsedTime(writing);
        }
    }

    private Task<int> WriteAsync(List<PendingAudit> audited, List<EntityEntry> ownEntries, BulkWrite bulk,
        List<FindingEvent> events, bool acceptAllChangesOnSuccess, CancellationToken cancellationToken) =>
        audited.Count == 0 && bulk.IsEmpty && ownEntries.Count == 0 && events.Count == 0
            ? SaveDetectedAsync(acceptAllChangesOnSuccess, cancellationToken)
            : SaveInTransactionAsync(audited, ownEntries, bulk, events, acceptAllChangesOnSuccess, cancellationToken);

    /// <summary>
    /// Saves of this context go to the group commit (<see cref="SqliteGroupCommit"/>): set by the user actions whose
    /// saves are short and come many at once (reports, reviews), on SQLite, outside a caller's transaction.
    /// </summary>
    public bool CommitsInGroup { get; set; }

    private SqliteGroupCommit? SqliteGroup() =>
        CommitsInGroup && Database.CurrentTransaction is null && Database.IsSqlite()
        // A connection someone opened by hand stays this context's: it cannot be swapped for the group's.
        && Database.GetDbConnection().State == ConnectionState.Closed
            ? SqliteGroupCommit.Of(Database.GetConnectionString() ?? "")
            : null;

    /// <summary>
    /// Runs <paramref name="write"/> on the group's connection and transaction, then gives this context its own
    /// connection back (the group's belongs to the group; this one is still the context's to dispose).
    /// </summary>
    private async Task<int> WriteInGroupAsync(DbConnection connection, DbTransaction transaction, Func<Task<int>> write)
    {
        var own = Database.GetDbConnection();
        // EF disposes a connection it owns when another replaces it: first give up owning this one, then swap.
        Database.SetDbConnection(own, contextOwnsConnection: false);
        Database.SetDbConnection(connection, contextOwnsConnection: false);
        try
        {
            await Database.UseTransactionAsync(transaction);
            return await write();
        }
        finally
        {
            await Database.UseTransactionAsync(null);
            Database.SetDbConnection(own, contextOwnsConnection: true);
        }
    }

    /// <summary>Lets readers drop their cached aggregates after a committed save changed what they count.</summary>
    private static void NoteCommitted(List<PendingAudit> audited)
    {
        if (audited.Any(a => a.Entry.Entity is Finding or Reports.RectificationReport))
            Interlocked.Increment(ref s_findingsVersion);
        if (audited.Any(a => a.Entry.Entity is Units.Unit or Categories.Category or Inspections.Inspection))
            Interlocked.Increment(ref s_referenceDataVersion);
    }

    /// <summary>How long the last save wrote (on SQLite: held the writer turn); a long job sizes its chunks by it.</summary>
    public TimeSpan LastWriteTime { get; private set; }

    /// <summary>
    /// Dispatches the events the tracked findings recorded, round after round while handlers record new ones, and
    /// returns them all in order. A save a handler makes itself leaves them to this one.
    /// </summary>
    private async Task<List<FindingEvent>> DispatchFindingEventsAsync(CancellationToken cancellationToken)
    {
        var all = new List<FindingEvent>();
        if (_dispatching)
            return all;
        for (var round = 1; ; round++)
        {
            var recorded = TrackedFindings().SelectMany(f => f.TakeEvents()).ToList();
            if (recorded.Count == 0)
                return all;
            all.AddRange(recorded);
            if (round > MaxDispatchRounds)
                throw new InvalidOperationException($"Finding events kept causing new ones for {MaxDispatchRounds} rounds: {string.Join(", ", recorded.Select(e => e.Name).Distinct())}.");
            // A context not rented from a scope (made by hand, at design time) has no handlers to run.
            if (_dispatcher is null)
                throw new InvalidOperationException($"A finding recorded {recorded[0].Name}, but this context has no {nameof(FindingEventDispatcher)}: change findings on the scoped {nameof(RectifyDb)}.");
            var dispatcher = _dispatcher();
            _dispatching = true;
            try
            {
                // The handlers read (a workflow's instance, a mail's recipients): one open of the connection serves
                // them all, where each read would open it again and SQLite registers EF's functions at every open.
                await OpenConnection.RunAsync(this, async () =>
                {
                    foreach (var e in recorded)
                        await dispatcher.DispatchAsync(e, cancellationToken);
                }, cancellationToken);
            }
            finally
            {
                _dispatching = false;
            }
        }
    }

    /// <summary>The tracked findings with recorded events, without running DetectChanges over everything tracked.</summary>
    private List<Finding> TrackedFindings()
    {
        using (ChangesAlreadyDetected())
            return ChangeTracker.Entries<Finding>().Select(e => e.Entity).Where(f => f.PendingEvents().Count > 0).ToList();
    }

    /// <summary>
    /// Turns EF's automatic change detection off until disposed, for a caller that has detected the changes itself
    /// or needs none: every Entries() call and save would otherwise scan every tracked entity again.
    /// </summary>
    public IDisposable ChangesAlreadyDetected() => new DetectionPause(ChangeTracker);

    private sealed class DetectionPause : IDisposable
    {
        private readonly ChangeTracker _tracker;
        private readonly bool _was;

        public DetectionPause(ChangeTracker tracker)
        {
            _tracker = tracker;
            _was = tracker.AutoDetectChangesEnabled;
            tracker.AutoDetectChangesEnabled = false;
        }

        public void Dispose() => _tracker.AutoDetectChangesEnabled = _was;
    }

    /// <summary>
    /// The writer turn of this database on SQLite (see <see cref="SqliteWriterTurn"/>); null on PostgreSQL. Saves
    /// inside a caller's transaction hold the turn already (<see cref="BeginWriteTransactionAsync"/>) and go straight on.
    /// </summary>
    private SqliteWriterTurn? SqliteWriter() =>
        Database.CurrentTransaction is null && Database.IsSqlite()
            ? SqliteWriterTurn.Of(Database.GetConnectionString() ?? "")
            : null;

    /// <summary>
    /// Begins a transaction that writes: on SQLite it first waits for this process's writer turn, the one every save
    /// takes, so a writer arriving during a long write queues behind it instead of spinning on the file lock until
    /// SQLite's busy timeout. Every transaction or statement that writes outside a plain save begins here.
    /// </summary>
    public async Task<IDbContextTransaction> BeginWriteTransactionAsync(CancellationToken ct = default)
    {
        if (SqliteWriter() is not { } turn)
            return await Database.BeginTransactionAsync(ct);
        await turn.WaitAsync(WritesLongJob, ct);
        try
        {
            return new WriterTurnTransaction(await Database.BeginTransactionAsync(ct), turn);
        }
        catch
        {
            turn.Release();
            throw;
        }
    }

    /// <summary>
    /// Bulk rows first, then EF's save, then the audit rows (they need the keys the save generated), appended to the
    /// hash chain last so that its lock is held for the least time: one transaction.
    /// </summary>
    private async Task<int> SaveInTransactionAsync(List<PendingAudit> audited, List<EntityEntry> ownEntries, BulkWrite bulk,
        List<FindingEvent> events, bool acceptAllChangesOnSuccess, CancellationToken cancellationToken)
    {
        var action = _pendingAction;
        _pendingAction = null;
        var ownTransaction = Database.CurrentTransaction is null
            ? await Database.BeginTransactionAsync(cancellationToken)
            : null;
        try
        {
            var written = await bulk.ExecuteAsync(this, cancellationToken);
            foreach (var entry in ownEntries)
                entry.State = EntityState.Detached;
            written += await SaveDetectedAsync(acceptAllChangesOnSuccess, cancellationToken);
            var now = Time.GetUtcNow();
            written += await AuditChain.AppendAsync(this,
                ownEntries.Select(e => (AuditEvent)e.Entity).Concat(AuditEvents(audited, events, action, now)).ToList(), cancellationToken);
            if (ownTransaction is not null)
                await ownTransaction.CommitAsync(cancellationToken);
            return written;
        }
        catch
        {
            bulk.Undo();
            foreach (var entry in ownEntries)
                entry.State = EntityState.Added;
            throw;
        }
        finally
        {
            if (ownTransaction is not null)
                await ownTransaction.DisposeAsync();
        }
    }

    /// <summary>
    /// EF's save without its own DetectChanges: the save's scan above (Entries) found every change, and nothing after it
    /// changes an entity's values, only entry states; a second scan would go over everything tracked again (a group of
    /// timers tracks its findings' reports and requests).
    /// </summary>
    private async Task<int> SaveDetectedAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken)
    {
        using (ChangesAlreadyDetected())
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    /// <summary>
    /// One row per changed entry, named by the first event that changed it; an entry no event names (a row a handler
    /// added, such as a link capture queued on a submission) by <see cref="AuditAs"/>, else by the save's first step.
    /// Then one row for each named event that changed no entry of its own (a reminder, a step in a save another step
    /// named), so that every step shows in the finding's history.
    /// </summary>
    private IEnumerable<AuditEvent> AuditEvents(List<PendingAudit> audited, List<FindingEvent> events, string? fallback, DateTimeOffset now)
    {
        var named = new Dictionary<object, FindingEvent>(ReferenceEqualityComparer.Instance);
        foreach (var e in events.Where(e => e.Action is not null))
        {
            foreach (var entity in e.Changed.Prepend(e.Finding))
                named.TryAdd(entity, e);
        }
        fallback ??= events.FirstOrDefault(e => e.Action is not null)?.Action;
        var shown = new HashSet<FindingEvent>(ReferenceEqualityComparer.Instance);
        foreach (var pending in audited)
        {
            var e = named.GetValueOrDefault(pending.Entry.Entity);
            if (e is not null)
                shown.Add(e);
            yield return ToAuditEvent(pending, e?.Action ?? fallback, now);
        }
        foreach (var e in events.Where(e => e.Action is not null && !shown.Contains(e)))
        {
            yield return new AuditEvent
            {
                At = now,
                ActorId = Actor.Id,
                ActorName = Actor.Name,
                EntityType = nameof(Finding),
                EntityId = e.Finding.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Action = e.Action!,
                FindingId = e.Finding.Id,
            };
        }
    }

    private AuditEvent ToAuditEvent(PendingAudit pending, string? action, DateTimeOffset now)
    {
        var entry = pending.Entry;
        var typeName = entry.Metadata.ClrType.Name;
        var key = string.Join(",", entry.Metadata.FindPrimaryKey()!.Properties.Select(p => entry.CurrentValues[p]));
        var after = pending.State == EntityState.Deleted ? null : Snapshot(entry, original: false);
        return new AuditEvent
        {
            At = now,
            ActorId = Actor.Id,
            ActorName = Actor.Name,
            EntityType = typeName,
            EntityId = key,
            Action = action ?? $"{char.ToLowerInvariant(typeName[0])}{typeName[1..]}.{pending.State.ToString().ToLowerInvariant()}",
            Before = pending.Before is null ? null : JsonSerializer.Serialize(OnlyChanged(pending.Before, after), AuditJson),
            After = after is null ? null : JsonSerializer.Serialize(OnlyChanged(after, pending.Before), AuditJson),
            FindingId = FindingIdOf(entry),
        };
    }

    private static int? FindingIdOf(EntityEntry entry) => entry.Entity switch
    {
        Finding f => f.Id,
        ExtensionRequest x => x.FindingId,
        Reports.RectificationReport r => r.FindingId,
        Reports.EvidenceFile e => e.Report?.FindingId,
        Captures.LinkCapture c => c.FindingId,
        Comments.FindingComment c => c.FindingId,
        _ => null,
    };

    private static Dictionary<string, object?> Snapshot(EntityEntry entry, bool original)
    {
        var snapshot = new Dictionary<string, object?>();
        foreach (var property in entry.Properties.Where(p => !SecretProperties.Contains(p.Metadata.Name)))
        {
            var value = original ? property.OriginalValue : property.CurrentValue;
            snapshot[property.Metadata.Name] = AuditedAsDigest(property.Metadata) ? AuditedAsDigestAttribute.Of((string?)value) : value;
        }
        foreach (var complex in entry.ComplexProperties)
        {
            foreach (var property in complex.Properties)
                snapshot[$"{complex.Metadata.Name}.{property.Metadata.Name}"] = original ? property.OriginalValue : property.CurrentValue;
        }
        return snapshot;
    }

    private static readonly ConcurrentDictionary<IProperty, bool> DigestedProperties = new();

    private static bool AuditedAsDigest(IProperty property) => DigestedProperties.GetOrAdd(property, p =>
        p.PropertyInfo?.IsDefined(typeof(AuditedAsDigestAttribute), inherit: true) == true);

    /// <summary>Keeps the audit rows small: only the properties that differ from the other side (all of them for inserts and deletes).</summary>
    private static Dictionary<string, object?> OnlyChanged(Dictionary<string, object?> side, Dictionary<string, object?>? other) =>
        other is null
            ? side
            : side.Where(kv => !other.TryGetValue(kv.Key, out var v) || !Equals(v, kv.Value)).ToDictionary();

    private sealed record PendingAudit(EntityEntry Entry, EntityState State, Dictionary<string, object?>? Before);
}

/// <summary>Stores an instant as milliseconds since the Unix epoch, UTC.</summary>
public sealed class UtcMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
    v => v.ToUnixTimeMilliseconds(),
    v => DateTimeOffset.FromUnixTimeMilliseconds(v));
