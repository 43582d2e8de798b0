using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Data;

namespace Rectify.Categories;

public sealed record CategoryInput(string Name, string NameEn = "", string Description = "", int SortOrder = 0, bool IsActive = true);

/// <summary>The category catalogue: everyone reads it, supervisors change it.</summary>
public sealed class CategoryService(RectifyDb db)
{
    public async Task<IReadOnlyList<Category>> ListAsync(bool includeInactive = false, CancellationToken ct = default) =>
        await db.Set<Category>().AsNoTracking()
            .Where(c => includeInactive || c.IsActive)
            .OrderBy(c => c.SortOrder).ThenBy(c => c.Id)
            .ToListAsync(ct);

    public async Task<Category> GetAsync(int id, CancellationToken ct = default) =>
        await db.Set<Category>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw RectifyException.NotFound("category");

    public async Task<Category> CreateAsync(CategoryInput input, Actor actor, CancellationToken ct = default)
    {
        actor.RequireSupervisor();
        await ValidateAsync(input, null, ct);
        var category = new Category { Name = "" };
        Apply(category, input);
        db.Add(category);
        db.AuditAs("category.created");
        await db.SaveChangesAsync(ct);
        return category;
    }

    public async Task<Category> UpdateAsync(int id, CategoryInput input, Actor actor, CancellationToken ct = default)
    {
        actor.RequireSupervisor();
        var category = await db.Set<Category>().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw RectifyException.NotFound("category");
        await ValidateAsync(input, id, ct);
        Apply(category, input);
        db.AuditAs("category.edited");
        await db.SaveChangesAsync(ct);
        return category;
    }

    private async Task ValidateAsync(CategoryInput input, int? id, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input.Name))
            throw RectifyException.Invalid("category.name_required", "请填写类别名称。", "Give the category a name.");
        var name = input.Name.Trim();
        if (await db.Set<Category>().AnyAsync(c => c.Name == name && c.Id != id, ct))
            throw RectifyException.Invalid("category.name_taken", $"类别“{name}”已存在。", $"A category named '{name}' already exists.");
    }

    private static void Apply(Category category, CategoryInput input)
    {
        category.Name = input.Name.Trim();
        category.NameEn = input.NameEn?.Trim() ?? "";
        category.Description = input.Description?.Trim() ?? "";
        category.SortOrder = input.SortOrder;
        category.IsActive = input.IsActive;
    }
}
