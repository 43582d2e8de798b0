using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Data;

namespace Rectify.Units;

public sealed record UnitInput
{
    public string Name { get; init; } = "";
    public string Aliases { get; init; } = "";
    public UnitKind Kind { get; init; }
    public int? ParentId { get; init; }
    public Contact Leader { get; init; } = new();
    public Contact Liaison { get; init; } = new();
    public int SortOrder { get; init; }
    public bool IsActive { get; init; } = true;
}

/// <summary>Units and their contacts (责任人联系表): everyone signed in reads them, supervisors change them.</summary>
public sealed class UnitService(RectifyDb db)
{
    public async Task<IReadOnlyList<Unit>> ListAsync(Actor actor, bool includeInactive = false, CancellationToken ct = default)
    {
        var query = db.Set<Unit>().AsNoTracking().Include(u => u.Parent).AsQueryable();
        if (actor.IsLiaison)
            query = query.Where(u => u.Id == actor.UnitId);
        if (!includeInactive)
            query = query.Where(u => u.IsActive);
        return await query.OrderBy(u => u.SortOrder).ThenBy(u => u.Id).ToListAsync(ct);
    }

    public async Task<Unit> GetAsync(int id, Actor actor, CancellationToken ct = default)
    {
        if (actor.IsLiaison && actor.UnitId != id)
            throw RectifyException.NotFound("unit");
        return await db.Set<Unit>().AsNoTracking().Include(u => u.Parent).SingleOrDefaultAsync(u => u.Id == id, ct)
            ?? throw RectifyException.NotFound("unit");
    }

    public async Task<Unit> CreateAsync(UnitInput input, Actor actor, CancellationToken ct = default)
    {
        actor.RequireSupervisor();
        await ValidateAsync(input, null, ct);
        var unit = new Unit { Name = "" };
        Apply(unit, input);
        db.Add(unit);
        db.AuditAs("unit.created");
        await db.SaveChangesAsync(ct);
        return unit;
    }

    public async Task<Unit> UpdateAsync(int id, UnitInput input, Actor actor, CancellationToken ct = default)
    {
        actor.RequireSupervisor();
        var unit = await db.Set<Unit>().SingleOrDefaultAsync(u => u.Id == id, ct) ?? throw RectifyException.NotFound("unit");
        await ValidateAsync(input, id, ct);
        Apply(unit, input);
        db.AuditAs("unit.edited");
        await db.SaveChangesAsync(ct);
        return unit;
    }

    private async Task ValidateAsync(UnitInput input, int? id, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input.Name))
            throw RectifyException.Invalid("unit.name_required", "请填写单位名称。", "Give the unit a name.");
        var name = input.Name.Trim();
        if (await db.Set<Unit>().AnyAsync(u => u.Name == name && u.Id != id, ct))
            throw RectifyException.Invalid("unit.name_taken", $"单位“{name}”已存在。", $"A unit named '{name}' already exists.");
        if (input.ParentId is { } parentId)
        {
            if (parentId == id)
                throw RectifyException.Invalid("unit.parent_invalid", "上级单位不能是其自身。", "A unit cannot be its own parent.");
            if (!await db.Set<Unit>().AnyAsync(u => u.Id == parentId, ct))
                throw RectifyException.Invalid("unit.parent_invalid", "上级单位不存在。", "Unknown parent unit.");
            // Walk up from the new parent: meeting this unit would close a loop.
            var ancestor = (int?)parentId;
            while (ancestor is { } a && id is not null)
            {
                if (a == id)
                    throw RectifyException.Invalid("unit.parent_invalid", "上级单位不能是其下级。", "A unit cannot sit below its own descendant.");
                ancestor = await db.Set<Unit>().Where(u => u.Id == a).Select(u => u.ParentId).SingleOrDefaultAsync(ct);
            }
        }
        foreach (var contact in new[] { input.Leader, input.Liaison })
        {
            if (contact.Email is { Length: > 0 } email && !System.Net.Mail.MailAddress.TryCreate(email.Trim(), out _))
                throw RectifyException.Invalid("unit.email_invalid", $"邮箱“{email}”格式不正确。", $"'{email}' is not a valid email address.");
        }
    }

    private static void Apply(Unit unit, UnitInput input)
    {
        unit.Name = input.Name.Trim();
        unit.Aliases = input.Aliases?.Trim() ?? "";
        unit.Kind = input.Kind;
        unit.ParentId = input.ParentId;
        unit.SortOrder = input.SortOrder;
        unit.IsActive = input.IsActive;
        Copy(input.Leader, unit.Leader);
        Copy(input.Liaison, unit.Liaison);
    }

    private static void Copy(Contact from, Contact to)
    {
        to.Name = from.Name?.Trim() ?? "";
        to.Title = from.Title?.Trim() ?? "";
        to.Phone = from.Phone?.Trim() ?? "";
        to.Email = from.Email?.Trim() ?? "";
    }
}
