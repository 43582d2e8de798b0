using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Todo;

namespace Rectify.Workflows.Runtime;

/// <summary>What a finding's workflow waits for, read from its bookmarks.</summary>
public sealed class FindingWorkflowState(RectifyDb db) : IFindingWorkflowState
{
    public async Task<bool> WaitsForAsync(int findingId, string eventName, CancellationToken ct = default) =>
        !await db.Set<WorkflowInstance>().AnyAsync(i => i.FindingId == findingId, ct)
        || await db.Set<WorkflowBookmark>().AnyAsync(b => b.FindingId == findingId && b.Name == eventName, ct);
}

/// <summary>Faulted instances, for the supervisor's to-do list.</summary>
public sealed class WorkflowIncidents(RectifyDb db) : IWorkflowIncidents
{
    private IQueryable<WorkflowInstance> Faulted => db.Set<WorkflowInstance>().AsNoTracking().Where(i => i.SubStatus == WorkflowSubStatus.Faulted);

    public Task<int> CountAsync(CancellationToken ct = default) => Faulted.CountAsync(ct);

    public Task<TodoSection<TodoIncident>> ListAsync(int take, CancellationToken ct = default) =>
        TodoSection.OfAsync(Faulted.OrderByDescending(i => i.UpdatedAt).ThenBy(i => i.Id)
            .Select(i => new TodoIncident(i.Id, i.FindingId, i.Fault, i.UpdatedAt)), take, ct);
}
