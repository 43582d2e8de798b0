using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Caching;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Units;

namespace Rectify.Dashboard;

/// <summary>One unit's line of the ranking: how many findings, how many accepted, how many accepted on time.</summary>
public sealed record UnitProgress(int UnitId, string UnitName, int Total, int Open, int Submitted, int Accepted, int AcceptedOnTime, int Overdue)
{
    /// <summary>完成率: share of the unit's issued findings whose report was accepted and submitted on time.</summary>
    public double CompletionRate => Total == 0 ? 0 : (double)AcceptedOnTime / Total;
}

public sealed record DashboardView(IReadOnlyDictionary<FindingStatus, int> ByStatus, int Overdue, int Total, IReadOnlyList<UnitProgress> Units)
{
    public int Count(FindingStatus status) => ByStatus.TryGetValue(status, out var n) ? n : 0;
    public double CompletionRate => Total == 0 ? 0 : (double)Units.Sum(u => u.AcceptedOnTime) / Total;
}

/// <summary>
/// Counts by status and the completion rate per unit; a liaison sees only its own unit. Answers are aggregates over
/// every finding, so they are cached and computed once per stale answer, however many requests ask meanwhile.
/// </summary>
public sealed class DashboardService(RectifyDb db, FreshCache<DashboardService.ViewKey, DashboardView> cache)
{
    /// <summary>An answer depends on what the viewer may see and on the inspection it is narrowed to.</summary>
    public sealed record ViewKey(FindingVisibility Viewer, int? InspectionId);

    public Task<DashboardView> GetAsync(Actor actor, int? inspectionId = null, CancellationToken ct = default) =>
        cache.GetAsync(new ViewKey(FindingVisibility.Of(actor), inspectionId), () => ComputeAsync(actor, inspectionId), ct);

    private async Task<DashboardView> ComputeAsync(Actor actor, int? inspectionId)
    {
        var findings = db.Set<Finding>().AsNoTracking().VisibleTo(actor);
        if (!actor.IsAuditor)
            findings = findings.Where(f => f.Status != FindingStatus.Draft);
        if (inspectionId is { } iid)
            findings = findings.Where(f => f.InspectionId == iid);

        // One pass over the (unit, status, overdue) index.
        var groups = await findings
            .GroupBy(f => new { f.UnitId, f.Status, f.IsOverdue })
            .Select(g => new { g.Key.UnitId, g.Key.Status, g.Key.IsOverdue, Count = g.Count() })
            .ToListAsync();
        var overdue = groups.Where(g => g.IsOverdue).GroupBy(g => g.UnitId).ToDictionary(g => g.Key, g => g.Sum(x => x.Count));
        // A finding is accepted once; its accepted report says whether it came in on time.
        var onTime = await db.Set<RectificationReport>().AsNoTracking()
            .Where(r => r.Decision == ReviewDecision.Accepted && r.SubmittedOnTime && findings.Any(f => f.Id == r.FindingId))
            .GroupBy(r => r.Finding!.UnitId)
            .Select(g => new { UnitId = g.Key, Count = g.Select(r => r.FindingId).Distinct().Count() })
            .ToDictionaryAsync(x => x.UnitId, x => x.Count);
        var unitIds = groups.Select(g => g.UnitId).Distinct().ToList();
        var unitQuery = db.Set<Unit>().AsNoTracking().Where(u => u.IsActive || unitIds.Contains(u.Id));
        if (actor.IsLiaison)
            unitQuery = unitQuery.Where(u => u.Id == actor.UnitId);
        var units = await unitQuery.OrderBy(u => u.SortOrder).ThenBy(u => u.Id).Select(u => new { u.Id, u.Name }).ToListAsync();

        var byStatus = Enum.GetValues<FindingStatus>().ToDictionary(s => s, s => groups.Where(g => g.Status == s).Sum(g => g.Count));
        var progress = units.Select(u =>
        {
            int Of(params FindingStatus[] statuses) => groups.Where(g => g.UnitId == u.Id && statuses.Contains(g.Status)).Sum(g => g.Count);
            var issued = Of(FindingStatus.Assigned, FindingStatus.Submitted, FindingStatus.Returned, FindingStatus.Accepted);
            return new UnitProgress(u.Id, u.Name, issued,
                Of(FindingStatus.Assigned, FindingStatus.Returned),
                Of(FindingStatus.Submitted),
                Of(FindingStatus.Accepted),
                onTime.GetValueOrDefault(u.Id),
                overdue.GetValueOrDefault(u.Id));
        })
            .OrderByDescending(p => p.CompletionRate).ThenByDescending(p => p.Total).ThenBy(p => p.UnitName)
            .ToList();
        var total = progress.Sum(p => p.Total);
        return new DashboardView(byStatus, overdue.Values.Sum(), total, progress);
    }
}
