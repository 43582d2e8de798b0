using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Runtime;

/// <summary>
/// Starts one instance per draft finding on the caller's DbContext (the caller's SaveChanges commits the findings'
/// assignment, the instances, their bookmarks and timers and the outbox rows together — a notice's findings share it).
/// The assignments the workflows record reach their handlers when the caller saves.
/// </summary>
public sealed class FindingWorkflows(
    RectifyDb db, WorkflowRunner runner, DefinitionCache cache, PublishedDefinitions published, FindingDeadline deadlines) : IFindingWorkflows
{
    public async Task StartAsync(IReadOnlyList<Finding> findings, string? definitionId = null, CancellationToken cancellationToken = default)
    {
        // Only drafts start: a finding already assigned has its instance, so a repeated call changes nothing.
        var drafts = findings.Where(f => f.Status == FindingStatus.Draft).ToList();
        // Every issuing path (a finding, a notice, the demo) comes here: working days become a date, a past one is refused.
        deadlines.ResolveForIssue(drafts);
        var version = await published.LatestAsync(definitionId, cancellationToken);
        var definition = cache.Parsed(version);
        // Scripts and the mails' view models see the unit, category, inspection, reports and extension requests:
        // loaded for the whole batch at once, not per mail (the tracked findings keep their pending changes).
        var ids = drafts.Select(f => f.Id).ToList();
        if (ids.Count > 0)
        {
            await db.Set<Finding>().Where(f => ids.Contains(f.Id))
                .Include(f => f.Unit).Include(f => f.Category).Include(f => f.Inspection)
                .Include(f => f.Reports).Include(f => f.ExtensionRequests)
                .AsSplitQuery().LoadAsync(cancellationToken);
        }
        foreach (var finding in drafts)
            await runner.StartAsync(finding, version, definition, cancellationToken);
    }
}

/// <summary>The latest published version of a definition (the default one unless named), imported on first use.</summary>
public sealed class PublishedDefinitions(RectifyDb db, DefinitionCache cache, DefinitionImporter importer, IOptions<WorkflowOptions> options)
{
    public async Task<WorkflowDefinitionVersion> LatestAsync(string? definitionId, CancellationToken cancellationToken)
    {
        var id = definitionId ?? options.Value.DefaultDefinitionId;
        var version = await cache.PublishedAsync(db, id, cancellationToken);
        if (version is null)
        {
            // First start on a fresh database before the background import ran.
            await importer.ImportAsync(cancellationToken);
            version = await cache.PublishedAsync(db, id, cancellationToken)
                ?? throw new RectifyException("workflow.no_published_definition", $"流程“{id}”尚未发布。", $"The workflow '{id}' has no published version.");
        }
        return version;
    }
}

/// <summary>What the finding's workflow (its instance's version, or the default definition for a draft) says about deadlines.</summary>
public sealed class WorkflowDeadlineSettings(RectifyDb db, DefinitionCache cache, PublishedDefinitions published, ActivityRegistry registry) : IDeadlineSettings
{
    public async Task<DeadlineSettings> ForAsync(Finding finding, CancellationToken cancellationToken = default)
    {
        var versionId = await db.Set<WorkflowInstance>().AsNoTracking().Where(i => i.FindingId == finding.Id && i.ParentInstanceId == null)
            .OrderByDescending(i => i.CreatedAt).Select(i => (string?)i.DefinitionVersionId).FirstOrDefaultAsync(cancellationToken);
        var definition = versionId is null
            ? cache.Parsed(await published.LatestAsync(null, cancellationToken))
            : await cache.ParsedAsync(db, versionId, cancellationToken);
        var returnDays = definition.ById.Values.Where(n => n.Type == "Rectify.ReviewReport")
            .Select(n => LiteralInt(n, "ReturnDeadlineDays")).FirstOrDefault(d => d is not null) ?? DeadlineSettings.Default.ReturnDeadlineDays;
        var firstReminder = definition.ById.Values.Where(n => n.Type == "Rectify.WaitUntil")
            .Select(n => LiteralInt(n, "Offset")).Where(o => o < 0).Select(o => -o!.Value).DefaultIfEmpty(0).Max();
        return new DeadlineSettings(returnDays, firstReminder);
    }

    /// <summary>An int input as configured, or its descriptor's default; null when it is a script (known only while running).</summary>
    private int? LiteralInt(ActivityNode node, string name)
    {
        var descriptor = registry.TryGet(node, out var activity) ? activity.Descriptor.Inputs.FirstOrDefault(i => i.Name == name) : null;
        object? value = descriptor?.Default;
        if (node.Inputs.TryGetValue(name, out var input) && !(input.ExpressionType == "Literal" && input.IsEmpty))
        {
            if (input.ExpressionType != "Literal")
                return null;
            value = input.Value;
        }
        return value is null ? null : ValueConversion.To<int>(value);
    }
}

/// <summary>
/// Resumes the bookmarks a finding event matches (ReportSubmitted, ReportReviewed, DeadlineChanged …) — after a
/// DeadlineChanged also re-creating the reminders that ran for the old deadline — on the
/// saving context, so the workflow's changes commit with the user's action. Steps the workflow took itself are not
/// fed back (<see cref="FindingEvent.Resumes"/>). A second delivery finds no bookmark and does nothing; concurrent
/// resumes of one instance collide on its revision and the action retries.
/// </summary>
public sealed class WorkflowEventHandler(RectifyDb db, WorkflowRunner runner, DefinitionCache cache, ActivityRegistry registry) : IFindingEventHandler
{
    public async Task HandleAsync(FindingEvent e, CancellationToken cancellationToken)
    {
        if (!e.Resumes)
            return;
        var findingId = e.Finding.Id;
        // Instances started before DeadlineChanged existed wait for ExtensionDecided in their deadline-relative steps.
        var legacy = e is DeadlineChanged ? nameof(ExtensionDecided) : null;
        var bookmarks = new List<WaitingBookmark>();
        await foreach (var bookmark in BookmarksOf.For(db)(db, findingId, e.Name, legacy).WithCancellation(cancellationToken))
            bookmarks.Add(bookmark);
        foreach (var group in bookmarks.GroupBy(b => b.InstanceId))
        {
            var instance = await WorkflowRunner.InstanceById.For(db)(db, group.Key, cancellationToken);
            if (instance is null)
                continue;
            var definition = await cache.ParsedAsync(db, instance.DefinitionVersionId, cancellationToken);
            List<string> Executions(IEnumerable<string> ids) => ids.Distinct().OrderBy(int.Parse).ToList();
            var current = Executions(group.Where(b => b.Name == e.Name).Select(b => b.ActivityExecutionId));
            if (current.Count > 0)
                await runner.ResumeAsync(instance, definition, e.Finding, current, new Signal(e.Name, e), cancellationToken);
            if (legacy is null)
                continue;
            var old = Executions(group.Where(b => b.Name == legacy && FollowsDeadline(definition, b.ActivityId)).Select(b => b.ActivityExecutionId));
            if (old.Count > 0)
                await runner.ResumeAsync(instance, definition, e.Finding, old, new Signal(legacy, e), cancellationToken);
            await runner.RestartDeadlineWaitsAsync(instance, definition, e.Finding, cancellationToken);
        }
    }

    private sealed record WaitingBookmark(string InstanceId, string ActivityExecutionId, string ActivityId, string Name);

    // Compiled: every report, review and deadline change comes here; a LINQ query would be rebuilt and looked up each time.
    private static readonly CompiledPerModel<Func<RectifyDb, int, string, string?, IAsyncEnumerable<WaitingBookmark>>> BookmarksOf =
        new(() => EF.CompileAsyncQuery((RectifyDb db, int findingId, string name, string? legacy) => db.Set<WorkflowBookmark>().AsNoTracking()
            .Where(b => b.FindingId == findingId && (b.Name == name || b.Name == legacy))
            .Select(b => new WaitingBookmark(b.InstanceId, b.ActivityExecutionId, b.ActivityId, b.Name))));

    private bool FollowsDeadline(WorkflowDefinition definition, string activityId) =>
        definition.ById.TryGetValue(activityId, out var node) && registry.TryGet(node, out var activity)
        && activity is IDeadlineRelative or WaitForReport;
}
