using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Runtime;

/// <summary>A finding's workflow for its page: where it stands, what happened when, and which timers are still ahead.</summary>
public sealed record FindingWorkflowTimeline(
    string InstanceId,
    string DefinitionId,
    string DefinitionName,
    int DefinitionVersion,
    WorkflowStatus Status,
    WorkflowSubStatus SubStatus,
    string? Fault,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<TimelineStep> Current,
    IReadOnlyList<TimelineStep> Past,
    IReadOnlyList<TimelineTimer> TimersAhead);

public sealed record TimelineStep(
    string ExecutionId, string ActivityId, string ActivityType, string DisplayName, string DisplayNameEn,
    string Status, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt, IReadOnlyList<string> Outcomes,
    IReadOnlyList<string> WaitingFor, string? Exception);

public sealed record TimelineTimer(string ActivityId, string DisplayName, string DisplayNameEn, DateTimeOffset DueAt);

public sealed class WorkflowTimeline(RectifyDb db, DefinitionCache cache, ActivityRegistry registry)
{
    /// <summary>The latest instance of the finding, or null when it has none (a draft). Visibility is checked by the caller.</summary>
    public async Task<FindingWorkflowTimeline?> ForFindingAsync(int findingId, CancellationToken ct = default)
    {
        var instance = await db.Set<WorkflowInstance>().AsNoTracking()
            .Where(i => i.FindingId == findingId)
            .OrderByDescending(i => i.CreatedAt)
            .FirstOrDefaultAsync(ct);
        if (instance is null)
            return null;
        var definition = await cache.ParsedAsync(db, instance.DefinitionVersionId, ct);
        var state = InstanceState.Read(instance.State);
        var timers = await db.Set<WorkflowTimer>().AsNoTracking()
            .Where(t => t.InstanceId == instance.Id)
            .OrderBy(t => t.DueAt)
            .ToListAsync(ct);

        TimelineStep Step(ExecutionRecord e)
        {
            var (zh, en) = Names(definition, e.ActivityId, e.ActivityType);
            return new TimelineStep(e.Id, e.ActivityId, e.ActivityType, zh, en, e.Status.ToString(), e.StartedAt, e.CompletedAt,
                e.Outcomes ?? [], e.Bookmarks ?? [], e.Exception);
        }

        bool Shown(ExecutionRecord e) => !registry.TryGet(e.ActivityType, out var a) || a.Descriptor.ShowInTimeline;

        return new FindingWorkflowTimeline(
            instance.Id, instance.DefinitionId, definition.Name, instance.DefinitionVersion, instance.Status, instance.SubStatus, instance.Fault,
            instance.CreatedAt, instance.FinishedAt,
            // What waits on an event or a timer; a container running its children is not a step of its own.
            state.Waiting.Where(e => e.HasBookmarks).Select(Step).ToList(),
            state.Executions.Where(e => e.Status != ExecutionStatus.Running && Shown(e)).Select(Step).ToList(),
            timers.Select(t =>
            {
                var (zh, en) = Names(definition, t.ActivityId, definition.ById.TryGetValue(t.ActivityId, out var n) ? n.Type : "");
                return new TimelineTimer(t.ActivityId, zh, en, t.DueAt);
            }).ToList());
    }

    /// <summary>The designer's label when set (metadata.displayText), else the activity type's names.</summary>
    private (string Zh, string En) Names(WorkflowDefinition definition, string activityId, string type)
    {
        var descriptor = registry.TryGet(type, out var activity) ? activity.Descriptor : null;
        var label = definition.ById.TryGetValue(activityId, out var node) ? node.DisplayText : null;
        return (label ?? descriptor?.DisplayName ?? type, label ?? descriptor?.DisplayNameEn ?? type);
    }
}
