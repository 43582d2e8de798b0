using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Caching;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Inspections;
using Rectify.Units;

namespace Rectify.Findings;

/// <summary>One entry of a drop-down; only categories have an English name (empty when not given).</summary>
public sealed record Choice(int Id, string Name, string NameEn = "");

/// <summary>The drop-downs of <see cref="FindingChoices"/>, each cached on its own.</summary>
public enum ChoiceList
{
    Units,
    Categories,
    Inspections,
}

/// <summary>
/// What a finding can be filed under and the ledger filtered by: the active units and categories, and every inspection
/// (newest first). Only the office's staff pick from them, and every one of them may see all, so the lists do not
/// depend on the viewer: one cached answer per list, shown again on every ledger view until a unit, category or
/// inspection changes.
/// </summary>
public sealed class FindingChoices(RectifyDb db, FreshCache<ChoiceList, IReadOnlyList<Choice>> cache)
{
    public Task<IReadOnlyList<Choice>> UnitsAsync(Actor actor, CancellationToken ct = default) =>
        CachedAsync(ChoiceList.Units, actor, () => db.Set<Unit>().AsNoTracking().Where(u => u.IsActive)
            .OrderBy(u => u.SortOrder).ThenBy(u => u.Id).Select(u => new Choice(u.Id, u.Name, "")), ct);

    public Task<IReadOnlyList<Choice>> CategoriesAsync(Actor actor, CancellationToken ct = default) =>
        CachedAsync(ChoiceList.Categories, actor, () => db.Set<Category>().AsNoTracking().Where(c => c.IsActive)
            .OrderBy(c => c.SortOrder).ThenBy(c => c.Id).Select(c => new Choice(c.Id, c.Name, c.NameEn)), ct);

    public Task<IReadOnlyList<Choice>> InspectionsAsync(Actor actor, CancellationToken ct = default) =>
        CachedAsync(ChoiceList.Inspections, actor, () => db.Set<Inspection>().AsNoTracking()
            .OrderByDescending(i => i.PeriodEnd).ThenByDescending(i => i.Id).Select(i => new Choice(i.Id, i.Title, "")), ct);

    private Task<IReadOnlyList<Choice>> CachedAsync(ChoiceList list, Actor actor, Func<IQueryable<Choice>> query, CancellationToken ct)
    {
        actor.RequireStaff();
        // Read-only: every caller gets the same list.
        return cache.GetAsync(list, async () => (IReadOnlyList<Choice>)(await query().ToListAsync()).AsReadOnly(), ct);
    }
}
