using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Rectify.Data;

namespace Rectify.Workflows.Definitions;

public enum VersionOptions
{
    Latest,
    Published,
}

/// <summary>Parsed definitions by version id. Published versions never change, so each is parsed once per process.</summary>
public sealed class DefinitionCache(TimeProvider time)
{
    /// <summary>How long the published version of a definition id is trusted before asking the database again (other nodes may publish).</summary>
    private static readonly TimeSpan PublishedTtl = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _parsed = new();
    private readonly ConcurrentDictionary<string, (WorkflowDefinitionVersion Version, DateTimeOffset At)> _published = new();

    public WorkflowDefinition Parsed(WorkflowDefinitionVersion version) =>
        version.IsPublished || !version.IsLatest
            ? _parsed.GetOrAdd(version.Id, _ => DefinitionParser.Parse(version.Json))
            : DefinitionParser.Parse(version.Json);

    public async Task<WorkflowDefinition> ParsedAsync(RectifyDb db, string versionId, CancellationToken ct)
    {
        if (_parsed.TryGetValue(versionId, out var parsed))
            return parsed;
        var version = await db.Set<WorkflowDefinitionVersion>().AsNoTracking().SingleOrDefaultAsync(v => v.Id == versionId, ct)
            ?? throw RectifyException.NotFound("workflow_definition");
        return Parsed(version);
    }

    public async Task<WorkflowDefinitionVersion?> PublishedAsync(RectifyDb db, string definitionId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_published.TryGetValue(definitionId, out var cached) && now - cached.At < PublishedTtl)
            return cached.Version;
        var version = await db.Set<WorkflowDefinitionVersion>().AsNoTracking()
            .Where(v => v.DefinitionId == definitionId && v.IsPublished)
            .OrderByDescending(v => v.Version)
            .FirstOrDefaultAsync(ct);
        if (version is not null)
            _published[definitionId] = (version, now);
        return version;
    }

    public void Forget(string definitionId) => _published.TryRemove(definitionId, out _);
}

/// <summary>
/// Definition versions for the designer and the runtime: one draft (the latest, unpublished) and published versions.
/// The stored JSON is the text the designer sent, so loading and saving give back the same document.
/// Publishing validates first; instances keep the version they started on.
/// </summary>
public sealed class WorkflowDefinitionStore(RectifyDb db, DefinitionValidator validator, DefinitionCache cache, TimeProvider time)
{
    public Task<List<WorkflowDefinitionVersion>> ListLatestAsync(CancellationToken ct = default) =>
        db.Set<WorkflowDefinitionVersion>().AsNoTracking().Where(v => v.IsLatest).OrderBy(v => v.DefinitionId).ToListAsync(ct);

    public Task<List<WorkflowDefinitionVersion>> ListVersionsAsync(string definitionId, CancellationToken ct = default) =>
        db.Set<WorkflowDefinitionVersion>().AsNoTracking().Where(v => v.DefinitionId == definitionId).OrderByDescending(v => v.Version).ToListAsync(ct);

    public Task<WorkflowDefinitionVersion?> GetByIdAsync(string versionId, CancellationToken ct = default) =>
        db.Set<WorkflowDefinitionVersion>().AsNoTracking().SingleOrDefaultAsync(v => v.Id == versionId, ct);

    public Task<WorkflowDefinitionVersion?> GetAsync(string definitionId, VersionOptions options = VersionOptions.Latest, CancellationToken ct = default) =>
        db.Set<WorkflowDefinitionVersion>().AsNoTracking()
            .Where(v => v.DefinitionId == definitionId && (options == VersionOptions.Latest ? v.IsLatest : v.IsPublished))
            .OrderByDescending(v => v.Version)
            .FirstOrDefaultAsync(ct);

    public Task<WorkflowDefinitionVersion?> GetVersionAsync(string definitionId, int version, CancellationToken ct = default) =>
        db.Set<WorkflowDefinitionVersion>().AsNoTracking().SingleOrDefaultAsync(v => v.DefinitionId == definitionId && v.Version == version, ct);

    /// <summary>The faults publishing would refuse, with JSON paths (the designer's validation call).</summary>
    public async Task<IReadOnlyList<DefinitionError>> ValidateAsync(string json, CancellationToken ct = default) =>
        validator.Validate(json, await WorkflowActivitiesAsync(ct));

    /// <summary>The published versions other workflows may run as activities (Elsa's <c>options.usableAsActivity</c>), by definition id.</summary>
    public async Task<IReadOnlyDictionary<string, (WorkflowDefinitionVersion Version, WorkflowDefinition Definition)>> UsableAsActivityAsync(CancellationToken ct = default)
    {
        var published = await db.Set<WorkflowDefinitionVersion>().AsNoTracking().Where(v => v.IsPublished).ToListAsync(ct);
        return published.Select(v => (Version: v, Definition: cache.Parsed(v))).Where(x => x.Definition.UsableAsActivity).ToDictionary(x => x.Version.DefinitionId);
    }

    private async Task<IReadOnlyDictionary<string, WorkflowDefinition>> WorkflowActivitiesAsync(CancellationToken ct) =>
        (await UsableAsActivityAsync(ct)).ToDictionary(kv => kv.Key, kv => kv.Value.Definition);

    /// <summary>
    /// Saves the designer's JSON as the draft: rewrites the current draft, or starts a new version after a published one.
    /// Malformed JSON is refused with its path; the rest is checked at publish.
    /// </summary>
    public async Task<WorkflowDefinitionVersion> SaveDraftAsync(string json, CancellationToken ct = default)
    {
        var definition = DefinitionParser.Parse(json);
        var now = time.GetUtcNow();
        var latest = await db.Set<WorkflowDefinitionVersion>()
            .Where(v => v.DefinitionId == definition.DefinitionId && v.IsLatest)
            .SingleOrDefaultAsync(ct);
        if (latest is { IsPublished: false })
        {
            latest.Json = json;
            latest.Name = definition.Name;
            latest.Description = definition.Description;
            latest.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            return latest;
        }
        if (latest is not null)
            latest.IsLatest = false;
        var version = (latest?.Version ?? 0) + 1;
        var draft = new WorkflowDefinitionVersion
        {
            Id = WorkflowDefinitionVersion.IdFor(definition.DefinitionId, version),
            DefinitionId = definition.DefinitionId,
            Version = version,
            Name = definition.Name,
            Description = definition.Description,
            IsLatest = true,
            Json = json,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Add(draft);
        await db.SaveChangesAsync(ct);
        return draft;
    }

    /// <summary>Publishes the draft of a definition after validating it; new findings use it, running ones keep theirs.</summary>
    public async Task<WorkflowDefinitionVersion> PublishAsync(string definitionId, CancellationToken ct = default)
    {
        var versions = await db.Set<WorkflowDefinitionVersion>().Where(v => v.DefinitionId == definitionId).ToListAsync(ct);
        var latest = versions.SingleOrDefault(v => v.IsLatest) ?? throw RectifyException.NotFound("workflow_definition");
        if (latest.IsPublished)
            return latest;
        var errors = validator.Validate(latest.Json, await WorkflowActivitiesAsync(ct));
        if (errors.Count > 0)
            throw new WorkflowDefinitionException(errors);
        foreach (var v in versions)
            v.IsPublished = false;
        latest.IsPublished = true;
        latest.PublishedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        cache.Forget(definitionId);
        return latest;
    }

    /// <summary>Saves and publishes in one call (the designer's Publish button, and the import of shipped files).</summary>
    public async Task<WorkflowDefinitionVersion> SaveAndPublishAsync(string json, CancellationToken ct = default)
    {
        var errors = validator.Validate(json, await WorkflowActivitiesAsync(ct));
        if (errors.Count > 0)
            throw new WorkflowDefinitionException(errors);
        var draft = await SaveDraftAsync(json, ct);
        return await PublishAsync(draft.DefinitionId, ct);
    }

    /// <summary>Stores a shipped definition as the published version with the version number its file carries.</summary>
    internal async Task<WorkflowDefinitionVersion> ImportAsync(string json, WorkflowDefinition definition, CancellationToken ct)
    {
        var errors = validator.Validate(definition, await WorkflowActivitiesAsync(ct));
        if (errors.Count > 0)
            throw new WorkflowDefinitionException(errors);
        var now = time.GetUtcNow();
        var versions = await db.Set<WorkflowDefinitionVersion>().Where(v => v.DefinitionId == definition.DefinitionId).ToListAsync(ct);
        foreach (var v in versions)
        {
            v.IsLatest = false;
            v.IsPublished = false;
        }
        var imported = new WorkflowDefinitionVersion
        {
            Id = WorkflowDefinitionVersion.IdFor(definition.DefinitionId, definition.Version),
            DefinitionId = definition.DefinitionId,
            Version = definition.Version,
            Name = definition.Name,
            Description = definition.Description,
            IsLatest = true,
            IsPublished = true,
            Json = json,
            CreatedAt = now,
            UpdatedAt = now,
            PublishedAt = now,
        };
        db.Add(imported);
        await db.SaveChangesAsync(ct);
        cache.Forget(definition.DefinitionId);
        return imported;
    }
}
