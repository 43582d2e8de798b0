using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Workflows;
using Rectify.Workflows.Runtime;

namespace Rectify.Web.Elsa;

/// <summary>Reads a workflow instance and its recorded state for the instance viewer (read-only, untracked).</summary>
public sealed class InstanceReader(RectifyDb db)
{
    public Task<WorkflowInstance?> FindAsync(string instanceId, CancellationToken ct) =>
        db.Set<WorkflowInstance>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == instanceId, ct);

    /// <summary>The instance a grant may read, with its state; null when missing or not readable.</summary>
    public async Task<(WorkflowInstance Instance, InstanceState State)?> ReadAsync(StudioGrant grant, string? instanceId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(instanceId) || !grant.CanRead(instanceId))
            return null;
        var instance = await FindAsync(instanceId, ct);
        return instance is null ? null : (instance, InstanceState.Read(instance.State));
    }

    /// <summary>The latest workflow instance of a finding (a finding normally has one).</summary>
    public Task<WorkflowInstance?> OfFindingAsync(int findingId, CancellationToken ct) =>
        db.Set<WorkflowInstance>().AsNoTracking().Where(i => i.FindingId == findingId && i.ParentInstanceId == null).OrderByDescending(i => i.CreatedAt).FirstOrDefaultAsync(ct);
}
