using Microsoft.EntityFrameworkCore;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Inspections;
using Rectify.Units;

namespace Rectify.Findings;

/// <summary>One refusal of a finding's field: the <see cref="FindingInput"/> property it is about, and the error.</summary>
public sealed record FindingProblem(string Field, RectifyException Error);

/// <summary>
/// The one validation of a finding, used by the page, the API, notices and the import: required fields, the unit,
/// category and inspection it points at, the deadline rules (finding.deadline_past …) and the text limits.
/// </summary>
public sealed class FindingRules(RectifyDb db, FindingDeadline deadlines)
{
    /// <summary>What a finding may point at (active units, categories, inspections), loaded once for a whole batch.</summary>
    public sealed record References(IReadOnlySet<int> Units, IReadOnlySet<int> Categories, IReadOnlySet<int> Inspections);

    public async Task<References> ReferencesAsync(CancellationToken ct = default) => new(
        (await db.Set<Unit>().AsNoTracking().Where(u => u.IsActive).Select(u => u.Id).ToListAsync(ct)).ToHashSet(),
        (await db.Set<Category>().AsNoTracking().Select(c => c.Id).ToListAsync(ct)).ToHashSet(),
        (await db.Set<Inspection>().AsNoTracking().Select(i => i.Id).ToListAsync(ct)).ToHashSet());

    /// <summary>The references of one input only (a form, an API call).</summary>
    private async Task<References> ReferencesOfAsync(FindingInput input, CancellationToken ct) => new(
        await db.Set<Unit>().AnyAsync(u => u.Id == input.UnitId && u.IsActive, ct) ? new HashSet<int> { input.UnitId } : [],
        await db.Set<Category>().AnyAsync(c => c.Id == input.CategoryId, ct) ? new HashSet<int> { input.CategoryId } : [],
        await db.Set<Inspection>().AnyAsync(i => i.Id == input.InspectionId, ct) ? new HashSet<int> { input.InspectionId } : []);

    /// <summary>Throws the first problem of <paramref name="input"/>; <paramref name="deadline"/> false keeps the deadline out (an issued finding's moves elsewhere).</summary>
    public async Task CheckAsync(FindingInput input, bool deadline = true, CancellationToken ct = default)
    {
        if (Problems(input, await ReferencesOfAsync(input, ct), deadline).FirstOrDefault() is { } problem)
            throw problem.Error;
    }

    /// <summary>Every problem of <paramref name="input"/>, in the order of the form's fields.</summary>
    public IEnumerable<FindingProblem> Problems(FindingInput input, References references, bool deadline = true)
    {
        if (string.IsNullOrWhiteSpace(input.Description))
            yield return new(nameof(FindingInput.Description), RectifyException.Invalid("finding.description_required", "请填写问题描述。", "Describe the problem."));
        foreach (var (field, text) in new[] { (nameof(Finding.Location), input.Location), (nameof(Finding.Description), input.Description), (nameof(Finding.Requirement), input.Requirement) })
        {
            if (TextLimits.TooLong(nameof(Finding), field, text?.Trim()) is { } tooLong)
                yield return new(field, tooLong);
        }
        if (deadline && DeadlineProblem(input) is { } late)
            yield return new(nameof(FindingInput.Deadline), late);
        if (!references.Units.Contains(input.UnitId))
            yield return new(nameof(FindingInput.UnitId), RectifyException.Invalid("finding.unit_unknown", "责任单位不存在。", "Unknown unit."));
        if (!references.Categories.Contains(input.CategoryId))
            yield return new(nameof(FindingInput.CategoryId), RectifyException.Invalid("finding.category_unknown", "问题类别不存在。", "Unknown category."));
        if (!references.Inspections.Contains(input.InspectionId))
            yield return new(nameof(FindingInput.InspectionId), RectifyException.Invalid("finding.inspection_unknown", "检查批次不存在。", "Unknown inspection."));
    }

    private RectifyException? DeadlineProblem(FindingInput input)
    {
        if (input.DeadlineWorkingDays is { } days)
            return days is < 1 or > FindingDeadline.MaxWorkingDays
                ? RectifyException.Invalid("finding.deadline_working_days_range", $"工作日数应为 1–{FindingDeadline.MaxWorkingDays}。", $"Working days must be 1–{FindingDeadline.MaxWorkingDays}.")
                : null;
        if (input.Deadline == default)
            return RectifyException.Invalid("finding.deadline_required", "请填写整改期限。", "Set a deadline.");
        return input.Deadline < deadlines.Today
            ? RectifyException.Invalid("finding.deadline_past", $"整改期限 {input.Deadline:yyyy-MM-dd} 早于今天，请改为今天或以后的日期。", $"The deadline {input.Deadline:yyyy-MM-dd} is before today.")
            : null;
    }

    /// <summary>
    /// Whether a stored draft may be issued now: the rules of its input (its unit, category and inspection still
    /// there) and its deadline, a working-day one as it would resolve today.
    /// </summary>
    public void CheckIssuable(Finding draft, References references)
    {
        var input = FindingInput.Of(draft);
        if (Problems(input, references, deadline: false).FirstOrDefault() is { } problem)
            throw problem.Error;
        if (deadlines.Effective(draft) is var deadline && deadline < deadlines.Today)
            throw FindingDeadline.Past(draft, deadline);
    }
}
