using Microsoft.EntityFrameworkCore;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Inspections;
using Rectify.Units;

namespace Rectify.Web.Pages.Shared;

/// <summary>The short lists the forms' drop-downs offer.</summary>
public static class Lookups
{
    public sealed record Option(int Id, string Name);

    public static Task<List<Option>> UnitsAsync(RectifyDb db, CancellationToken ct = default) =>
        db.Set<Unit>().AsNoTracking().Where(u => u.IsActive).OrderBy(u => u.SortOrder).ThenBy(u => u.Id)
            .Select(u => new Option(u.Id, u.Name)).ToListAsync(ct);

    public static async Task<List<Option>> CategoriesAsync(RectifyDb db, CancellationToken ct = default) =>
        (await db.Set<Category>().AsNoTracking().Where(c => c.IsActive).OrderBy(c => c.SortOrder).ThenBy(c => c.Id)
            .Select(c => new { c.Id, c.Name, c.NameEn }).ToListAsync(ct))
        .Select(c => new Option(c.Id, Localization.Lang.IsEnglish && c.NameEn.Length > 0 ? c.NameEn : c.Name)).ToList();

    public static Task<List<Option>> InspectionsAsync(RectifyDb db, CancellationToken ct = default) =>
        db.Set<Inspection>().AsNoTracking().OrderByDescending(i => i.PeriodEnd).ThenByDescending(i => i.Id)
            .Select(i => new Option(i.Id, i.Title)).ToListAsync(ct);
}
