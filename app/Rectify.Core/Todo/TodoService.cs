using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Caching;
using Rectify.Dashboard;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Time;

namespace Rectify.Todo;

/// <summary>A finding on someone's to-do list, with the time left to its deadline in working days.</summary>
public sealed record TodoFinding(
    int Id, string UnitName, string CategoryName, string CategoryNameEn, string Location, string Description,
    FindingStatus Status, bool IsOverdue, RemainingTime Remaining);

/// <summary>An extension request awaiting the auditor's decision.</summary>
public sealed record TodoExtension(
    int FindingId, string UnitName, string Description, DateOnly CurrentDeadline, DateOnly RequestedDeadline,
    string Reason, string RequestedByName, DateTimeOffset RequestedAt);

/// <summary>A mail the outbox gave up on (失败).</summary>
public sealed record TodoMail(long Id, string Subject, string Template, string RecipientName, string RecipientAddress, string? LastError, int? FindingId, DateTimeOffset CreatedAt);

/// <summary>A faulted workflow instance (incident): why, and which finding it runs for.</summary>
public sealed record TodoIncident(string InstanceId, int? FindingId, string? Fault, DateTimeOffset At);

/// <summary>One list of a to-do page: the first rows, and how many there are in all.</summary>
public sealed record TodoSection<T>(IReadOnlyList<T> Items, int Total)
{
    public static readonly TodoSection<T> None = new([], 0);
    public bool HasMore => Total > Items.Count;
}

public static class TodoSection
{
    /// <summary>The first <paramref name="take"/> rows of an ordered list and the count of all (no second query when there are none).</summary>
    public static async Task<TodoSection<T>> OfAsync<T>(IQueryable<T> rows, int take, CancellationToken ct)
    {
        var total = await rows.CountAsync(ct);
        return total == 0 ? TodoSection<T>.None : new(await rows.Take(take).ToListAsync(ct), total);
    }
}

/// <summary>Mails the outbox gave up on; implemented by the mail module.</summary>
public interface IFailedMails
{
    Task<int> CountAsync(CancellationToken ct = default);
    /// <summary>The latest first.</summary>
    Task<TodoSection<TodoMail>> ListAsync(int take, CancellationToken ct = default);
}

/// <summary>Faulted workflow instances; implemented by the workflow runtime.</summary>
public interface IWorkflowIncidents
{
    Task<int> CountAsync(CancellationToken ct = default);
    /// <summary>The latest first.</summary>
    Task<TodoSection<TodoIncident>> ListAsync(int take, CancellationToken ct = default);
}

/// <summary>What a role has to do next. Lists a role has no part in stay empty.</summary>
public sealed record TodoList
{
    /// <summary>Auditor: findings whose report awaits review.</summary>
    public TodoSection<TodoFinding> AwaitingReview { get; init; } = TodoSection<TodoFinding>.None;
    /// <summary>Auditor: extension requests awaiting a decision.</summary>
    public TodoSection<TodoExtension> Extensions { get; init; } = TodoSection<TodoExtension>.None;
    /// <summary>Auditor and liaison: open findings due within <see cref="TodoService.DueSoonWorkingDays"/> working days (a liaison's overdue ones too).</summary>
    public TodoSection<TodoFinding> DueSoon { get; init; } = TodoSection<TodoFinding>.None;
    /// <summary>Auditor: findings past their deadline without an accepted report.</summary>
    public TodoSection<TodoFinding> Overdue { get; init; } = TodoSection<TodoFinding>.None;
    /// <summary>Liaison: reports sent back, not due soon (those are in <see cref="DueSoon"/>).</summary>
    public TodoSection<TodoFinding> Returned { get; init; } = TodoSection<TodoFinding>.None;
    /// <summary>Liaison: findings to rectify, not due soon (those are in <see cref="DueSoon"/>).</summary>
    public TodoSection<TodoFinding> ToRectify { get; init; } = TodoSection<TodoFinding>.None;
    /// <summary>Auditor and supervisor: mails that could not be delivered.</summary>
    public TodoSection<TodoMail> FailedMails { get; init; } = TodoSection<TodoMail>.None;
    /// <summary>Supervisor: faulted workflow instances.</summary>
    public TodoSection<TodoIncident> Incidents { get; init; } = TodoSection<TodoIncident>.None;
    /// <summary>Supervisor: the office's counts and completion rate.</summary>
    public DashboardView? Overview { get; init; }
}

/// <summary>The counts the navigation shows: the role's open to-dos, and mails that failed (staff only).</summary>
public sealed record NavCounts(int Todo, int FailedMails);

/// <summary>
/// Each role's to-do list (its home page) and the counts in the navigation. A liaison sees its own unit only. The
/// navigation counts are asked on every page, so they are one COUNT each, cached briefly per viewer.
/// </summary>
public sealed class TodoService(
    RectifyDb db, OfficeClock clock, WorkingDayCalendar calendar, DashboardService dashboard, FreshCache<TodoService.CountsKey, NavCounts> counts,
    IFailedMails? failedMails = null, IWorkflowIncidents? incidents = null)
{
    public const int DueSoonWorkingDays = 3;
    /// <summary>Rows per list; the page links to the full list beyond.</summary>
    public const int Take = 20;

    /// <summary>Counts depend on the role and, for a liaison, its unit.</summary>
    public sealed record CountsKey(Users.UserRole? Role, int? UnitId);

    public async Task<TodoList> GetAsync(Actor actor, CancellationToken ct = default)
    {
        var today = clock.Today;
        var soon = calendar.Add(today, WorkingDays.After(DueSoonWorkingDays));
        var issued = db.Set<Finding>().AsNoTracking().VisibleTo(actor).Where(f => f.Status != FindingStatus.Draft);
        var owed = issued.Where(f => f.Status == FindingStatus.Assigned || f.Status == FindingStatus.Returned);
        if (actor.IsAuditor)
            return new TodoList
            {
                AwaitingReview = await FindingsAsync(issued.Where(f => f.Status == FindingStatus.Submitted), today, ct),
                Extensions = await ExtensionsAsync(ct),
                DueSoon = await FindingsAsync(owed.Where(f => !f.IsOverdue && f.Deadline >= today && f.Deadline <= soon), today, ct),
                Overdue = await FindingsAsync(issued.Where(f => f.IsOverdue && f.Status != FindingStatus.Accepted), today, ct),
                FailedMails = await FailedMailsAsync(ct),
            };
        if (actor.IsLiaison)
        {
            // What is due soon (or already late) comes first and is not repeated in the lists below it.
            return new TodoList
            {
                DueSoon = await FindingsAsync(owed.Where(f => f.IsOverdue || f.Deadline <= soon), today, ct),
                Returned = await FindingsAsync(owed.Where(f => f.Status == FindingStatus.Returned && !f.IsOverdue && f.Deadline > soon), today, ct),
                ToRectify = await FindingsAsync(owed.Where(f => f.Status == FindingStatus.Assigned && !f.IsOverdue && f.Deadline > soon), today, ct),
            };
        }
        if (actor.IsSupervisor)
            return new TodoList
            {
                Overview = await dashboard.GetAsync(actor, ct: ct),
                Incidents = await IncidentsAsync(ct),
                FailedMails = await FailedMailsAsync(ct),
            };
        return new TodoList();
    }

    /// <summary>The navigation's counts for <paramref name="actor"/>: one COUNT query each, cached briefly.</summary>
    public Task<NavCounts> CountsAsync(Actor actor, CancellationToken ct = default) =>
        counts.GetAsync(new CountsKey(actor.Role, actor.IsLiaison ? actor.UnitId : null), () => ComputeCountsAsync(actor), ct);

    private async Task<NavCounts> ComputeCountsAsync(Actor actor)
    {
        var findings = db.Set<Finding>().AsNoTracking().VisibleTo(actor);
        var failed = actor.IsAuditor || actor.IsSupervisor
            ? await (failedMails?.CountAsync() ?? Task.FromResult(0))
            : 0;
        var todo = actor switch
        {
            { IsAuditor: true } => await findings.CountAsync(f => f.Status == FindingStatus.Submitted)
                                   + await db.Set<ExtensionRequest>().CountAsync(x => x.Decision == ExtensionDecision.Pending),
            { IsLiaison: true } => await findings.CountAsync(f => f.Status == FindingStatus.Assigned || f.Status == FindingStatus.Returned),
            { IsSupervisor: true } => await (incidents?.CountAsync() ?? Task.FromResult(0)),
            _ => 0,
        };
        return new NavCounts(todo, failed);
    }

    private async Task<TodoSection<TodoFinding>> FindingsAsync(IQueryable<Finding> query, DateOnly today, CancellationToken ct)
    {
        var rows = await SectionAsync(query.OrderBy(f => f.Deadline).ThenBy(f => f.Id)
            .Select(f => new
            {
                f.Id, UnitName = f.Unit!.Name, CategoryName = f.Category!.Name, CategoryNameEn = f.Category.NameEn,
                f.Location, f.Description, f.Status, f.IsOverdue, f.Deadline,
            }), ct);
        return new(rows.Items.Select(r => new TodoFinding(r.Id, r.UnitName, r.CategoryName, r.CategoryNameEn, r.Location, r.Description,
            r.Status, r.IsOverdue, RemainingTime.Of(calendar, today, r.Deadline))).ToList(), rows.Total);
    }

    private Task<TodoSection<TodoExtension>> ExtensionsAsync(CancellationToken ct) =>
        SectionAsync(db.Set<ExtensionRequest>().AsNoTracking().Where(x => x.Decision == ExtensionDecision.Pending)
            .OrderBy(x => x.RequestedAt).ThenBy(x => x.Id)
            .Select(x => new TodoExtension(x.FindingId, x.Finding!.Unit!.Name, x.Finding.Description, x.CurrentDeadline,
                x.RequestedDeadline, x.Reason, x.RequestedByName, x.RequestedAt)), ct);

    private Task<TodoSection<TodoMail>> FailedMailsAsync(CancellationToken ct) =>
        failedMails?.ListAsync(Take, ct) ?? Task.FromResult(TodoSection<TodoMail>.None);

    private Task<TodoSection<TodoIncident>> IncidentsAsync(CancellationToken ct) =>
        incidents?.ListAsync(Take, ct) ?? Task.FromResult(TodoSection<TodoIncident>.None);

    private static Task<TodoSection<T>> SectionAsync<T>(IQueryable<T> rows, CancellationToken ct) => TodoSection.OfAsync(rows, Take, ct);
}
