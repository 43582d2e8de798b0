using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Common;
using Rectify.Data;
using Rectify.Inspections;
using Rectify.Workflows;

namespace Rectify.Findings;

/// <summary>
/// The one way drafts are issued (下发), from the page, the API and a notice: every draft is checked by
/// <see cref="FindingRules"/> before anything is written, then their workflows start (assigning them, adding timers
/// and mails) <see cref="ChunkSize"/> findings per transaction. Up to one chunk commits at once; more go through an
/// <see cref="IssueStaging"/> so that the issue is still seen whole or not at all, and write as a long job: the short
/// writes that queue during a chunk go before the next one (<see cref="SqliteWriterTurn"/>). So do the staging's
/// publishing (one short transaction) and its clean-up (chunks again).
/// </summary>
public sealed class FindingIssuer(RectifyDb db, FindingRules rules, IFindingWorkflows workflows,
    IEnumerable<IStagedRows> heldRows, Time.OfficeClock clock)
{
    /// <summary>
    /// Findings per transaction at most: about 30 ms of writing on a quiet SQLite file. On a busy machine the chunks
    /// shrink until one writes in about 50 ms (<see cref="ChunkPacer"/>), so another write waits that long at most.
    /// </summary>
    public const int ChunkSize = 100;

    /// <summary>Rows per transaction of a clean-up at most (a plain update each): paced down like the chunks.</summary>
    public const int CleanUpChunkSize = 1000;

    // One run per staging in this process: a resumed issue and the auditor's retry never interleave their chunks.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Runs = new();

    /// <summary>
    /// The drafts among <paramref name="ids"/> (by id), each checked as issuable now. With <paramref name="strict"/>
    /// every id must be a draft the actor can issue (finding.illegal_transition otherwise); a notice skips findings
    /// issued meanwhile.
    /// </summary>
    public async Task<List<int>> CheckAsync(IReadOnlyCollection<int> ids, bool strict, CancellationToken ct = default) =>
        (await CheckedAsync(db.Set<Finding>().AsNoTracking(), ids, strict, ct)).Select(f => f.Id).ToList();

    /// <summary>The drafts <see cref="CheckAsync"/> names, read from <paramref name="source"/>, in id order.</summary>
    private async Task<List<Finding>> CheckedAsync(IQueryable<Finding> source, IReadOnlyCollection<int> ids, bool strict, CancellationToken ct)
    {
        var findings = new List<Finding>(ids.Count);
        foreach (var chunk in ids.Distinct().Chunk(1000))
            findings.AddRange(await source.Include(f => f.Unit).Where(f => chunk.Contains(f.Id)).ToListAsync(ct));
        if (strict)
        {
            if (findings.Count != ids.Distinct().Count())
                throw RectifyException.NotFound("finding");
            if (findings.FirstOrDefault(f => f.Status != FindingStatus.Draft) is { } notDraft)
                throw new RectifyException("finding.illegal_transition",
                    $"问题 #{notDraft.Id} 当前状态为“{notDraft.Status.Label().Zh}”，不能下发。",
                    $"Finding #{notDraft.Id} is {notDraft.Status}; only drafts can be issued.");
        }
        var drafts = findings.Where(f => f.Status == FindingStatus.Draft).OrderBy(f => f.Id).ToList();
        if (drafts.Count > 0)
        {
            var references = await rules.ReferencesAsync(ct);
            foreach (var draft in drafts)
                rules.CheckIssuable(draft, references);
        }
        return drafts;
    }

    /// <summary>Issues the drafts <paramref name="ids"/> (all of them or none, see the class).</summary>
    public async Task IssueAsync(IReadOnlyCollection<int> ids, Actor actor, CancellationToken ct = default)
    {
        actor.RequireAuditor();
        if (ids.Distinct().Count() <= ChunkSize)
        {
            // One chunk: the drafts read for the check are the ones issued.
            await IssueChunkAsync(await CheckedAsync(db.Set<Finding>(), ids, strict: true, ct), null, ct);
            return;
        }
        // More go by id through a staging, whose chunks are read (again after a crash) as they are issued.
        var drafts = await CheckAsync(ids, strict: true, ct);
        var staging = Stage(IssueStagingKind.Findings, drafts, actor);
        await db.SaveChangesAsync(ct);
        await CompleteAsync(staging.Id, null, ct);
    }

    /// <summary>A new staging of <paramref name="ids"/>, added to the context (the caller saves it with its own change).</summary>
    public IssueStaging Stage(IssueStagingKind kind, IReadOnlyList<int> ids, Actor actor)
    {
        var staging = new IssueStaging
        {
            Id = IssueStaging.NewId(),
            Kind = kind,
            FindingIds = string.Join(',', ids),
            Total = ids.Count,
            ActorId = actor.Id,
            ActorName = actor.Name,
            StartedAt = clock.Now,
        };
        db.Add(staging);
        return staging;
    }

    /// <summary>Marks the timers and mails the context is about to add as held by the staging.</summary>
    public void Hold(string stagingId)
    {
        foreach (var rows in heldRows)
            rows.Hold(db, stagingId);
    }

    /// <summary>
    /// Issues what is left of the staging, chunk by chunk, then publishes it in one short transaction that also runs
    /// <paramref name="finish"/> (the notice's own change), then cleans it up (<see cref="CleanUpAsync"/>). Safe to
    /// call again after a crash or concurrently: chunks skip findings already staged, a published staging is only
    /// cleaned up, and a cleaned-up one is gone.
    /// </summary>
    public async Task CompleteAsync(string stagingId, Func<IssueStaging, CancellationToken, Task>? finish, CancellationToken ct = default)
    {
        var run = Runs.GetOrAdd(stagingId, _ => new SemaphoreSlim(1, 1));
        await run.WaitAsync(ct);
        try
        {
            db.WritesLongJob = true;
            db.ChangeTracker.Clear();
            var staging = await db.Set<IssueStaging>().SingleOrDefaultAsync(s => s.Id == stagingId, ct);
            if (staging is null)
                return;
            if (staging.PublishedAt is null)
            {
                var ids = staging.Ids().ToArray();
                var pacer = new ChunkPacer(ChunkSize);
                for (var offset = 0; offset < ids.Length;)
                {
                    var chunk = pacer.Next(ids, offset);
                    offset += chunk.Length;
                    var drafts = await db.Set<Finding>().Include(f => f.Unit).Where(f => chunk.Contains(f.Id) && f.Status == FindingStatus.Draft)
                        .OrderBy(f => f.Id).ToListAsync(ct);
                    pacer.Wrote(await IssueChunkAsync(drafts, staging, ct), db.LastWriteTime);
                }
                await PublishAsync(staging, finish, ct);
            }
            await CleanUpAsync(stagingId, ct);
        }
        finally
        {
            run.Release();
            Runs.TryRemove(new KeyValuePair<string, SemaphoreSlim>(stagingId, run));
        }
    }

    /// <summary>Starts the workflows of the chunk's tracked drafts and commits them (staged when <paramref name="staging"/> is given); returns how many.</summary>
    private async Task<int> IssueChunkAsync(List<Finding> drafts, IssueStaging? staging, CancellationToken ct)
    {
        try
        {
            if (drafts.Count == 0)
                return 0;
            await StartAsync(drafts, ct);
            if (staging is not null)
            {
                foreach (var finding in drafts)
                    finding.StagingId = staging.Id;
                Hold(staging.Id);
                staging.Done = Math.Min(staging.Total, staging.Done + drafts.Count);
            }
            await db.SaveChangesAsync(ct);
            return drafts.Count;
        }
        finally
        {
            // The next chunk starts from an empty context: saving does not scan what is already written.
            db.ChangeTracker.Clear();
            if (staging is not null)
                db.Attach(staging);
        }
    }

    /// <summary>
    /// Makes everything the staging wrote visible at once, with <paramref name="finish"/>: one transaction that
    /// writes the staging's row and the caller's own change, whatever the staging's size. The change is made and
    /// tracked before the transaction takes the writer turn, which is for writing only. Does nothing to a staging
    /// published (or gone) meanwhile.
    /// </summary>
    public async Task PublishAsync(IssueStaging staging, Func<IssueStaging, CancellationToken, Task>? finish, CancellationToken ct)
    {
        db.WritesLongJob = true;
        var id = staging.Id;
        var now = clock.Now;
        if (finish is not null)
        {
            await finish(staging, ct);
            db.ChangeTracker.DetectChanges();
        }
        await using (var transaction = await db.BeginWriteTransactionAsync(ct))
        {
            if (await db.Set<IssueStaging>().Where(s => s.Id == id && s.PublishedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.PublishedAt, now), ct) == 0)
            {
                db.ChangeTracker.Clear();
                return;
            }
            using (db.ChangesAlreadyDetected())
                await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        RectifyDb.FindingsChangedOutsideSave();
    }

    /// <summary>
    /// Clears a published staging away in short transactions of <see cref="ChunkPacer"/> size, each letting the short
    /// writes that queued go first: releases its held timers and mails (first: they wait for it to act), clears its
    /// findings' ids, then, in the last one, whatever is left (an import's inspection) and the staging's row, so that
    /// no row ever names a staging that is gone. Nothing it does changes what anyone sees.
    /// </summary>
    public async Task CleanUpAsync(string stagingId, CancellationToken ct = default)
    {
        db.WritesLongJob = true;
        db.ChangeTracker.Clear();
        var pacer = new ChunkPacer(CleanUpChunkSize);
        foreach (var rows in heldRows)
            await InChunksAsync(pacer, size => rows.ReleaseAsync(db, stagingId, size, ct), ct);
        await InChunksAsync(pacer, size => StagedFindings(stagingId).OrderBy(f => f.Id).Take(size)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.StagingId, (string?)null), ct), ct);
        await using var transaction = await db.BeginWriteTransactionAsync(ct);
        await StagedFindings(stagingId).ExecuteUpdateAsync(s => s.SetProperty(f => f.StagingId, (string?)null), ct);
        await db.Set<Inspection>().IgnoreQueryFilters().Where(i => i.StagingId == stagingId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.StagingId, (string?)null), ct);
        foreach (var rows in heldRows)
            await rows.ReleaseAsync(db, stagingId, int.MaxValue, ct);
        await db.Set<IssueStaging>().Where(s => s.Id == stagingId).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Runs <paramref name="step"/> (which writes up to the size it is given and returns how many rows) in one
    /// transaction after another until a step writes fewer; the pacer sizes them by how long each held the writer.
    /// </summary>
    private async Task InChunksAsync(ChunkPacer pacer, Func<int, Task<int>> step, CancellationToken ct)
    {
        int size, written;
        do
        {
            size = pacer.Size;
            await using var transaction = await db.BeginWriteTransactionAsync(ct);
            var writing = Stopwatch.GetTimestamp();
            written = await step(size);
            await transaction.CommitAsync(ct);
            pacer.Wrote(written, Stopwatch.GetElapsedTime(writing));
        }
        while (written >= size);
    }

    private IQueryable<Finding> StagedFindings(string stagingId) =>
        db.Set<Finding>().IgnoreQueryFilters().Where(f => f.StagingId == stagingId);

    /// <summary>Removes what an unfinished import staged (its file is gone with the process that read it); a published staging is left to its clean-up.</summary>
    public async Task DiscardAsync(IssueStaging staging, CancellationToken ct = default)
    {
        db.WritesLongJob = true;
        await using var transaction = await db.BeginWriteTransactionAsync(ct);
        var id = staging.Id;
        if (await db.Set<IssueStaging>().Where(s => s.Id == id && s.PublishedAt == null).ExecuteDeleteAsync(ct) == 0)
            return;
        await db.Set<Finding>().IgnoreQueryFilters().Where(f => f.StagingId == id).ExecuteDeleteAsync(ct);
        await db.Set<Inspection>().IgnoreQueryFilters().Where(i => i.StagingId == id).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Starts the findings' workflows (which assign them; without a runtime Core assigns them directly). A workflow
    /// that does not assign in its first steps still leaves its finding assigned. Does not save: the demo data and the
    /// chunks above save it with their own changes.
    /// </summary>
    public async Task StartAsync(IReadOnlyList<Finding> findings, CancellationToken ct = default)
    {
        await workflows.StartAsync(findings, cancellationToken: ct);
        foreach (var finding in findings.Where(f => f.Status == FindingStatus.Draft))
            finding.Assign(clock);
    }
}
