using Rectify.Auditing;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Units;
using Rectify.Users;

namespace Rectify.Testing;

/// <summary>Builds small, named sample data shaped like the seeds (教育局, 科技局 …) for tests.</summary>
public static class Sample
{
    public static Actor Auditor { get; } = new("auditor-1", "审核员", UserRole.Auditor, null);
    public static Actor Supervisor { get; } = new("supervisor-1", "主管", UserRole.Supervisor, null);
    public static Actor LiaisonOf(int unitId) => new($"liaison-{unitId}", $"联络人{unitId}", UserRole.UnitLiaison, unitId);

    public static Unit Unit(string name, string email = "") => new()
    {
        Name = name,
        Kind = name.EndsWith("街道", StringComparison.Ordinal) ? UnitKind.Township : UnitKind.Department,
        Leader = new Contact { Name = $"{name}负责人", Title = "局长", Phone = "0553-1000000", Email = $"leader.{Math.Abs(name.GetHashCode())}@example.gov.cn" },
        Liaison = new Contact { Name = $"{name}联络人", Title = "科员", Phone = "0553-2000000", Email = email.Length > 0 ? email : $"liaison.{Math.Abs(name.GetHashCode())}@example.gov.cn" },
    };

    /// <summary>Adds units, one category and one inspection, and returns them saved.</summary>
    public static async Task<(List<Unit> Units, Category Category, Inspection Inspection)> SeedAsync(RectifyDb db, params string[] unitNames)
    {
        var units = (unitNames.Length > 0 ? unitNames : ["教育局", "科技局", "住交局", "卫健委", "马塘街道"]).Select(n => Unit(n)).ToList();
        db.AddRange(units);
        var category = new Category { Name = "主动公开", NameEn = "Proactive disclosure" };
        db.Add(category);
        var inspection = new Inspection
        {
            Title = "2026年2月政务公开第三方检查",
            Kind = InspectionKind.ThirdPartyCheck,
            PeriodStart = new DateOnly(2026, 2, 1),
            PeriodEnd = new DateOnly(2026, 2, 28),
            CreatedAt = db.Time.GetUtcNow(),
        };
        db.Add(inspection);
        await db.SaveChangesAsync();
        return (units, category, inspection);
    }

    public static Finding Finding(Unit unit, Category category, Inspection inspection, DateOnly deadline, string description = "招生计划目录本年度未更新") => new()
    {
        UnitId = unit.Id,
        CategoryId = category.Id,
        InspectionId = inspection.Id,
        Location = "基层政务公开领域-义务教育-招生计划",
        Description = description,
        Requirement = "及时更新本年度信息",
        Deadline = deadline,
    };
}
