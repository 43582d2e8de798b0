using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Runtime;

/// <summary>
/// Starts one instance per draft finding on the caller's DbContext (the caller's SaveChanges commits the findings'
/// assignment, the instances, their bookmarks and timers and the outbox rows together — a notice's findings share it).
/// </summary>
public sealed class FindingWorkflows(
    RectifyDb db, WorkflowRunner runner, DefinitionCache cache, DefinitionImporter importer, IOptions<WorkflowOptions> options) : IFindingWorkflows
{
    public async Task StartAsync(IReadOnlyList<Finding> findings, string? definitionId = null, CancellationToken cancellationToken = default)
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
        var definition = cache.Parsed(version);
        // Only drafts start: a finding already assigned has its instance, so a repeated call changes nothing.
        var drafts = findings.Where(f => f.Status == FindingStatus.Draft).ToList();
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

/// <summary>
/// Resumes the bookmarks a finding event matches (ReportSubmitted, ReportReviewed, ExtensionDecided …), on the
/// lifecycle's own DbContext so the workflow's changes commit with the user's action. A second delivery finds no
/// bookmark and does nothing; concurrent resumes of one instance collide on its revision and the action retries.
/// </summary>
public sealed class WorkflowEventHandler(RectifyDb db, IServiceProvider scope, DefinitionCache cache) : IFindingEventHandler
{
    public async Task HandleAsync(FindingEvent e, CancellationToken cancellationToken)
    {
        var findingId = e.Finding.Id;
        var bookmarks = await db.Set<WorkflowBookmark>().AsNoTracking()
            .Where(b => b.FindingId == findingId && b.Name == e.Name)
            .Select(b => new { b.InstanceId, b.ActivityExecutionId })
            .ToListAsync(cancellationToken);
        // Resolved here, not injected: the runner's lifecycle is the one calling this handler.
        var runner = bookmarks.Count > 0 ? scope.GetRequiredService<WorkflowRunner>() : null;
        foreach (var group in bookmarks.GroupBy(b => b.InstanceId))
        {
            var instance = await db.Set<WorkflowInstance>().SingleOrDefaultAsync(i => i.Id == group.Key, cancellationToken);
            if (instance is null)
                continue;
            var definition = await cache.ParsedAsync(db, instance.DefinitionVersionId, cancellationToken);
            var executions = group.Select(b => b.ActivityExecutionId).Distinct().OrderBy(int.Parse).ToList();
            await runner!.ResumeAsync(instance, definition, e.Finding, executions, new Signal(e.Name, e), cancellationToken);
        }
    }
}
