using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Caching;
using Rectify.Categories;
using Rectify.Common;
using Rectify.Data;
using Rectify.Time;
using Rectify.Units;

namespace Rectify.Findings;

/// <summary>What the finding list can be narrowed by. Pages are 1-based.</summary>
public sealed record FindingFilter
{
    public int? UnitId { get; init; }
    public FindingStatus? Status { get; init; }
    public int? CategoryId { get; init; }
    public int? InspectionId { get; init; }
    public bool? Overdue { get; init; }
    public DateOnly? DeadlineFrom { get; init; }
    public DateOnly? DeadlineTo { get; init; }
    /// <summary>Matched against description and location.</summary>
    public string? Text { get; init; }
    /// <summary>deadline (default), -deadline, unit, status, updated (newest first).</summary>
    public string? Sort { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 20;

    public const int MaxPageSize = 100;
}

/// <summary>One line of the finding list.</summary>
public sealed record FindingRow(
    int Id,
    int InspectionId,
    string InspectionTitle,
    int UnitId,
    string UnitName,
    int CategoryId,
    string CategoryName,
    string CategoryNameEn,
    string Location,
    string Description,
    Severity Severity,
    DateOnly Deadline,
    FindingStatus Status,
    bool IsOverdue,
    int DaysLeft,
    DateTimeOffset UpdatedAt);

/// <summary>A finding with its reports, evidence, extension requests and its whole audit history (oldest first).</summary>
public sealed record FindingDetail(Finding Finding, IReadOnlyList<AuditEvent> History, int DaysLeft)
{
    public ExtensionRequest? PendingExtension => Finding.ExtensionRequests.FirstOrDefault(x => x.Decision == ExtensionDecision.Pending);
    public Reports.RectificationReport? PendingReport => Finding.Reports.FirstOrDefault(r => r.Decision == Reports.ReviewDecision.Pending);
}

/// <summary>Names for the unit and category ids a finding's history mentions.</summary>
public sealed record HistoryNames(IReadOnlyDictionary<int, string> Units, IReadOnlyDictionary<int, Label> Categories);

/// <summary>What an auditor enters for a finding.</summary>
public sealed record FindingInput
{
    public int InspectionId { get; init; }
    public int UnitId { get; init; }
    public int CategoryId { get; init; }
    public string Location { get; init; } = "";
    public string Description { get; init; } = "";
    public string Requirement { get; init; } = "";
    public Severity Severity { get; init; } = Severity.Normal;
    public DateOnly Deadline { get; init; }
    /// <summary>A draft's deadline as working days instead of a date: resolved when it is issued.</summary>
    public int? DeadlineWorkingDays { get; init; }
    /// <summary>Required when the deadline of an issued finding changes: kept in its history and told to the unit.</summary>
    public string? DeadlineReason { get; init; }

    /// <summary>What a stored finding holds, as if entered again (for checking it before it is issued).</summary>
    public static FindingInput Of(Finding finding) => new()
    {
        InspectionId = finding.InspectionId,
        UnitId = finding.UnitId,
        CategoryId = finding.CategoryId,
        Location = finding.Location,
        Description = finding.Description,
        Requirement = finding.Requirement,
        Severity = finding.Severity,
        Deadline = finding.Deadline,
        DeadlineWorkingDays = finding.DeadlineWorkingDays,
    };
}

/// <summary>Reading, recording and issuing findings; state changes after issuing go through <see cref="FindingLifecycle"/>.</summary>
public sealed class FindingService(
    RectifyDb db, OfficeClock clock, FindingDeadline deadlines, FindingRules rules, FindingIssuer issuer,
    FreshCache<FindingService.CountKey, int> counts)
{
    /// <summary>
    /// A list total depends on the filter (not its sort or page) and on what the viewer may see. Counting is cheap in
    /// SQL but costs a whole query per page view, so totals are cached per key.
    /// </summary>
    public sealed record CountKey(FindingVisibility Viewer, FindingFilter Filter);

    public async Task<Page<FindingRow>> SearchAsync(FindingFilter filter, Actor actor, CancellationToken ct = default)
    {
        var query = Filtered(db.Set<Finding>().AsNoTracking(), filter, actor);
        var total = await CountAsync(query, filter, actor, ct);
        var pageSize = Math.Clamp(filter.PageSize, 1, FindingFilter.MaxPageSize);
        var pageNumber = Math.Max(1, filter.Page);
        query = filter.Sort switch
        {
            "-deadline" => query.OrderByDescending(f => f.Deadline).ThenByDescending(f => f.Id),
            "unit" => query.OrderBy(f => f.UnitId).ThenBy(f => f.Deadline).ThenBy(f => f.Id),
            "status" => query.OrderBy(f => f.Status).ThenBy(f => f.Deadline).ThenBy(f => f.Id),
            "updated" => query.OrderByDescending(f => f.UpdatedAt).ThenByDescending(f => f.Id),
            _ => query.OrderBy(f => f.Deadline).ThenBy(f => f.Id),
        };
        var rows = await query
            .Skip((pageNumber - 1) * pageSize)
            .Take(pageSize)
            .Select(f => new
            {
                f.Id, f.InspectionId, InspectionTitle = f.Inspection!.Title, f.UnitId, UnitName = f.Unit!.Name,
                f.CategoryId, CategoryName = f.Category!.Name, CategoryNameEn = f.Category.NameEn,
                f.Location, f.Description, f.Severity, f.Deadline, f.Status, f.IsOverdue, f.UpdatedAt,
            })
            .ToListAsync(ct);
        var items = rows.Select(r => new FindingRow(r.Id, r.InspectionId, r.InspectionTitle, r.UnitId, r.UnitName,
            r.CategoryId, r.CategoryName, r.CategoryNameEn, r.Location, r.Description, r.Severity, r.Deadline,
            r.Status, r.IsOverdue, deadlines.Remaining(r.Deadline).WorkingDays, r.UpdatedAt)).ToList();
        return new Page<FindingRow>(items, pageNumber, pageSize, total);
    }

    /// <summary>
    /// The findings the filter selects among those the actor may see (no order, no paging): the one definition the
    /// list, the "all on this filter" bulk selection and the export share, so they always agree.
    /// </summary>
    public static IQueryable<Finding> Filtered(IQueryable<Finding> findings, FindingFilter filter, Actor actor)
    {
        var query = findings.VisibleTo(actor);
        // Drafts are the auditors' working copies; units see findings once issued.
        if (!actor.IsAuditor)
            query = query.Where(f => f.Status != FindingStatus.Draft);
        if (filter.UnitId is { } unitId)
            query = query.Where(f => f.UnitId == unitId);
        if (filter.Status is { } status)
            query = query.Where(f => f.Status == status);
        if (filter.CategoryId is { } categoryId)
            query = query.Where(f => f.CategoryId == categoryId);
        if (filter.InspectionId is { } inspectionId)
            query = query.Where(f => f.InspectionId == inspectionId);
        if (filter.Overdue is { } overdue)
            query = query.Where(f => f.IsOverdue == overdue);
        if (filter.DeadlineFrom is { } from)
            query = query.Where(f => f.Deadline >= from);
        if (filter.DeadlineTo is { } to)
            query = query.Where(f => f.Deadline <= to);
        if (filter.Text is { Length: > 0 } text)
        {
            var t = text.Trim();
            query = query.Where(f => f.Description.Contains(t) || f.Location.Contains(t) || f.Requirement.Contains(t));
        }
        return query;
    }

    /// <summary>The ids of every finding on the filter, in list order (for a bulk action on "all on this filter").</summary>
    public Task<List<int>> IdsAsync(FindingFilter filter, Actor actor, CancellationToken ct = default) =>
        Filtered(db.Set<Finding>().AsNoTracking(), filter, actor).OrderBy(f => f.Deadline).ThenBy(f => f.Id).Select(f => f.Id).ToListAsync(ct);

    private Task<int> CountAsync(IQueryable<Finding> query, FindingFilter filter, Actor actor, CancellationToken ct) =>
        counts.GetAsync(new CountKey(FindingVisibility.Of(actor), filter with { Sort = null, Page = 1, PageSize = 0 }),
            () => query.CountAsync(), ct);

    /// <summary>The finding with everything that belongs to it; 404 when the actor may not see it.</summary>
    public async Task<FindingDetail> GetAsync(int id, Actor actor, CancellationToken ct = default)
    {
        var finding = await db.Set<Finding>().AsNoTracking().VisibleTo(actor)
            .Where(f => actor.IsAuditor || f.Status != FindingStatus.Draft)
            .Include(f => f.Unit)
            .Include(f => f.Category)
            .Include(f => f.Inspection)
            .Include(f => f.Reports.OrderBy(r => r.SubmittedAt)).ThenInclude(r => r.Evidence)
            .Include(f => f.ExtensionRequests.OrderBy(x => x.RequestedAt))
            // One statement: a finding has a few reports, files and extension requests, so the joined rows stay few,
            // while each split-off statement cost as much as the whole join.
            .AsSingleQuery()
            .SingleOrDefaultAsync(f => f.Id == id, ct)
            ?? throw RectifyException.NotFound("finding");
        var history = await HistoryQuery(id).ToListAsync(ct);
        return new FindingDetail(finding, history, deadlines.Remaining(deadlines.Effective(finding)).WorkingDays);
    }

    public async Task<IReadOnlyList<AuditEvent>> HistoryAsync(int id, Actor actor, CancellationToken ct = default)
    {
        if (!await db.Set<Finding>().VisibleTo(actor).AnyAsync(f => f.Id == id && (actor.IsAuditor || f.Status != FindingStatus.Draft), ct))
            throw RectifyException.NotFound("finding");
        return await HistoryQuery(id).ToListAsync(ct);
    }

    private IQueryable<AuditEvent> HistoryQuery(int findingId) =>
        db.Set<AuditEvent>().AsNoTracking().Where(a => a.FindingId == findingId).OrderBy(a => a.At).ThenBy(a => a.Id);

    /// <summary>
    /// The units and categories a finding's history mentions by id (inactive ones too), named so the history reads in
    /// words; a category's label falls back to its Chinese name when it has no English one.
    /// </summary>
    public async Task<HistoryNames> NamesInHistoryAsync(IReadOnlyList<AuditEvent> history, CancellationToken ct = default)
    {
        var sides = history.Where(e => e.EntityType == nameof(Finding)).SelectMany(e => new[] { e.Before, e.After })
            .Select(json => json is null ? [] : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? []).ToList();
        List<int> Ids(string field) => sides.Select(side => side.GetValueOrDefault(field))
            .Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetInt32()).Distinct().ToList();
        var unitIds = Ids(nameof(Finding.UnitId));
        var categoryIds = Ids(nameof(Finding.CategoryId));
        var units = await db.Set<Unit>().AsNoTracking().Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var categories = await db.Set<Category>().AsNoTracking().Where(c => categoryIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => new Label(c.Name, c.NameEn.Length > 0 ? c.NameEn : c.Name), ct);
        return new HistoryNames(units, categories);
    }

    /// <summary>Records a draft finding (草稿); it reaches the unit when issued.</summary>
    public async Task<Finding> CreateAsync(FindingInput input, Actor actor, CancellationToken ct = default)
    {
        actor.RequireAuditor();
        await rules.CheckAsync(input, ct: ct);
        var finding = new Finding
        {
            Status = FindingStatus.Draft,
            CreatedAt = clock.Now,
            CreatedById = actor.Id,
            UpdatedAt = clock.Now,
        };
        Apply(finding, input);
        db.Add(finding);
        db.AuditAs("finding.created");
        await db.SaveChangesAsync(ct);
        return finding;
    }

    /// <summary>
    /// Edits a finding while it is a draft or open for rectification (待整改, 退回). The deadline of an issued finding
    /// moves only with a reason, through <see cref="FindingDeadline"/> (timers, overdue flag, history, the unit's mail).
    /// </summary>
    public async Task<Finding> UpdateAsync(int id, FindingInput input, Actor actor, CancellationToken ct = default)
    {
        actor.RequireAuditor();
        var finding = await db.Set<Finding>().Include(f => f.Unit).SingleOrDefaultAsync(f => f.Id == id, ct) ?? throw RectifyException.NotFound("finding");
        if (finding.Status is not (FindingStatus.Draft or FindingStatus.Assigned or FindingStatus.Returned))
            throw new RectifyException("finding.not_editable", "只有草稿、待整改或退回的问题可以修改。", "Only draft, assigned or returned findings can be edited.");
        var moved = false;
        try
        {
            if (finding.Status != FindingStatus.Draft)
            {
                if (input.DeadlineWorkingDays is not null)
                    throw RectifyException.Invalid("finding.deadline_working_days_draft_only", "已下发的问题请填写具体的整改期限日期。", "An issued finding's deadline is a date.");
                var keep = input with { Deadline = finding.Deadline };
                await rules.CheckAsync(keep, deadline: false, ct);
                Apply(finding, keep);
                moved = input.Deadline != finding.Deadline;
                // Records DeadlineChanged (finding.deadline_changed in the history) and bumps the version.
                finding.ChangeDeadline(input.Deadline, input.DeadlineReason ?? "", actor, clock);
            }
            else
            {
                await rules.CheckAsync(input, ct: ct);
                Apply(finding, input);
            }
            if (!db.ChangeTracker.HasChanges())
                return finding;
            if (!moved)
            {
                finding.UpdatedAt = clock.Now;
                finding.Version++;
                db.AuditAs("finding.edited");
            }
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw new RectifyException("finding.concurrent_change", "该问题已被他人修改，请刷新后重试。", "Someone else changed this finding; reload and retry.");
        }
        catch
        {
            db.ChangeTracker.Clear();
            throw;
        }
        return finding;
    }

    /// <summary>
    /// Issues draft findings to their units (下发) through <see cref="FindingIssuer"/>, the one issuing path: all of
    /// them or none.
    /// </summary>
    public async Task<IReadOnlyList<Finding>> IssueAsync(IReadOnlyCollection<int> ids, Actor actor, CancellationToken ct = default)
    {
        await issuer.IssueAsync(ids, actor, ct);
        return await db.Set<Finding>().Include(f => f.Unit).Where(f => ids.Contains(f.Id)).ToListAsync(ct);
    }

    private void Apply(Finding finding, FindingInput input)
    {
        finding.InspectionId = input.InspectionId;
        finding.UnitId = input.UnitId;
        finding.CategoryId = input.CategoryId;
        finding.Location = input.Location.Trim();
        finding.Description = input.Description.Trim();
        finding.Requirement = input.Requirement.Trim();
        finding.Severity = input.Severity;
        finding.DeadlineWorkingDays = input.DeadlineWorkingDays;
        // A working-day draft keeps the date it would get today, so lists sort and filter it sensibly until it is issued.
        finding.Deadline = input.DeadlineWorkingDays is { } days ? deadlines.IfIssuedToday(days) : input.Deadline;
    }
}
