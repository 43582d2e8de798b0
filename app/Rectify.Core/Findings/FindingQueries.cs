using Rectify.Auditing;

namespace Rectify.Findings;

/// <summary>
/// What decides which findings an actor sees (<see cref="FindingQueries.VisibleTo"/>, drafts for auditors only):
/// answers cached over findings are kept per visibility, shared by everyone who sees the same.
/// </summary>
public sealed record FindingVisibility(bool Drafts, bool OneUnit, int? UnitId)
{
    public static FindingVisibility Of(Actor actor) => new(actor.IsAuditor, actor.IsLiaison, actor.IsLiaison ? actor.UnitId : null);
}

public static class FindingQueries
{
    /// <summary>The findings an actor may see: all for auditors, supervisors and the system; a liaison only its own unit's.</summary>
    public static IQueryable<Finding> VisibleTo(this IQueryable<Finding> findings, Actor actor) =>
        actor.IsLiaison ? findings.Where(f => f.UnitId == actor.UnitId) : findings;
}
