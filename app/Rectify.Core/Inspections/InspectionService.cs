using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Time;

namespace Rectify.Inspections;

public sealed record InspectionInput(string Title, InspectionKind Kind, DateOnly PeriodStart, DateOnly PeriodEnd, string Office = "");

/// <summary>An inspection with how many findings it has and how many are still open.</summary>
public sealed record InspectionRow(int Id, string Title, InspectionKind Kind, DateOnly PeriodStart, DateOnly PeriodEnd, string Office,
    DateTimeOffset CreatedAt, int Findings, int Open, int Accepted, int Unissued);

/// <summary>Inspection rounds: staff read them, auditors record them.</summary>
public sealed class InspectionService(RectifyDb db, OfficeClock clock)
{
    public async Task<IReadOnlyList<InspectionRow>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        actor.RequireStaff();
        var counts = await db.Set<Finding>().AsNoTracking()
            .GroupBy(f => f.InspectionId)
            .Select(g => new
            {
                InspectionId = g.Key,
                Total = g.Count(),
                Open = g.Count(f => f.Status == FindingStatus.Assigned || f.Status == FindingStatus.Submitted || f.Status == FindingStatus.Returned),
                Accepted = g.Count(f => f.Status == FindingStatus.Accepted),
                Unissued = g.Count(f => f.Status == FindingStatus.Draft),
            })
            .ToDictionaryAsync(x => x.InspectionId, ct);
        var inspections = await db.Set<Inspection>().AsNoTracking().OrderByDescending(i => i.PeriodEnd).ThenByDescending(i => i.Id).ToListAsync(ct);
        return inspections.Select(i =>
        {
            counts.TryGetValue(i.Id, out var c);
            return new InspectionRow(i.Id, i.Title, i.Kind, i.PeriodStart, i.PeriodEnd, i.Office, i.CreatedAt, c?.Total ?? 0, c?.Open ?? 0, c?.Accepted ?? 0, c?.Unissued ?? 0);
        }).ToList();
    }

    public async Task<Inspection> GetAsync(int id, Actor actor, CancellationToken ct = default)
    {
        actor.RequireStaff();
        return await db.Set<Inspection>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct) ?? throw RectifyException.NotFound("inspection");
    }

    public async Task<Inspection> CreateAsync(InspectionInput input, Actor actor, CancellationToken ct = default)
    {
        actor.RequireAuditor();
        Validate(input);
        var inspection = new Inspection { Title = "", CreatedAt = clock.Now, CreatedById = actor.Id };
        Apply(inspection, input);
        db.Add(inspection);
        db.AuditAs("inspection.created");
        await db.SaveChangesAsync(ct);
        return inspection;
    }

    public async Task<Inspection> UpdateAsync(int id, InspectionInput input, Actor actor, CancellationToken ct = default)
    {
        actor.RequireAuditor();
        Validate(input);
        var inspection = await db.Set<Inspection>().SingleOrDefaultAsync(i => i.Id == id, ct) ?? throw RectifyException.NotFound("inspection");
        Apply(inspection, input);
        db.AuditAs("inspection.edited");
        await db.SaveChangesAsync(ct);
        return inspection;
    }

    private static void Validate(InspectionInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Title))
            throw RectifyException.Invalid("inspection.title_required", "请填写检查名称。", "Give the inspection a title.");
        if (input.PeriodEnd < input.PeriodStart)
            throw RectifyException.Invalid("inspection.period_invalid", "检查期间的结束日期不能早于开始日期。", "The period ends before it starts.");
    }

    private static void Apply(Inspection inspection, InspectionInput input)
    {
        inspection.Title = input.Title.Trim();
        inspection.Kind = input.Kind;
        inspection.PeriodStart = input.PeriodStart;
        inspection.PeriodEnd = input.PeriodEnd;
        inspection.Office = input.Office?.Trim() ?? "";
    }
}
