using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Testing;
using Rectify.Workflows.Runtime;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>The shipped rectification.json driving one finding through a whole cycle on the fake clock.</summary>
public class DefaultFlowTests
{
    [Fact]
    public async Task Whole_cycle_two_reminders_escalation_late_report_return_resubmission_acceptance()
    {
        await using var database = await CreateAsync();
        var (units, category, inspection) = await SeedAsync(database);
        var unit = units[0];
        // Started Mon 2026-03-02 09:00; deadline Fri 2026-03-13.
        var findingId = (await StartAsync(database, _ => [Sample.Finding(unit, category, inspection, new DateOnly(2026, 3, 13))]))[0];

        var timers = await database.WithDbAsync(db => db.Set<WorkflowTimer>().OrderBy(t => t.DueAt).Select(t => new { t.ActivityId, t.DueAt }).ToListAsync());
        Assert.Equal(
            [("remind3", Local(3, 10, 9)), ("remind1", Local(3, 12, 9)), ("waitReport", Local(3, 14, 0))],
            timers.Select(t => (t.ActivityId, t.DueAt)));
        Assert.Equal(FindingStatus.Assigned, (await FindingAsync(database, findingId)).Status);

        // Nothing is late until the deadline day has ended in Shanghai.
        Assert.Equal(3, await AdvanceAsync(database, Local(3, 16, 9)));
        var overdue = await FindingAsync(database, findingId);
        Assert.True(overdue.IsOverdue);
        Assert.True(overdue.QueuedForFollowUp);
        Assert.Equal(Local(3, 14, 0), overdue.OverdueSince);

        // The late report, on Monday 10:00.
        database.Clock.SetUtcNow(Local(3, 16, 10));
        var report = await As(database, Sample.LiaisonOf(unit.Id), sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(findingId, Report(), Sample.LiaisonOf(unit.Id)));
        Assert.False(report.SubmittedOnTime);

        // Returned on Tuesday: a new deadline five working days later, Tue 2026-03-24; the finding stays 退回 until resubmitted.
        database.Clock.SetUtcNow(Local(3, 17, 10));
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(findingId, report.Id, false, "证据链接无法打开，请补充", Sample.Auditor));
        var returned = await FindingAsync(database, findingId);
        Assert.Equal(FindingStatus.Returned, returned.Status);
        Assert.Equal(new DateOnly(2026, 3, 24), returned.Deadline);
        Assert.False(returned.IsOverdue);
        timers = await database.WithDbAsync(db => db.Set<WorkflowTimer>().OrderBy(t => t.DueAt).Select(t => new { t.ActivityId, t.DueAt }).ToListAsync());
        Assert.Equal(
            [("remind3", Local(3, 19, 9)), ("remind1", Local(3, 23, 9)), ("waitReport", Local(3, 25, 0))],
            timers.Select(t => (t.ActivityId, t.DueAt)));

        // One reminder of the second round goes out; the report then arrives and the other is skipped.
        Assert.Equal(1, await AdvanceAsync(database, Local(3, 20, 10)));
        var second = await As(database, Sample.LiaisonOf(unit.Id), sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(findingId, Report("已补充可访问的证据链接"), Sample.LiaisonOf(unit.Id)));
        Assert.True(second.SubmittedOnTime);
        Assert.Empty(await database.WithDbAsync(db => db.Set<WorkflowTimer>().ToListAsync()));

        database.Clock.SetUtcNow(Local(3, 23, 10));
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(findingId, second.Id, true, "整改到位", Sample.Auditor));
        Assert.Equal(FindingStatus.Accepted, (await FindingAsync(database, findingId)).Status);

        Assert.Equal(
        [
            ("assigned", RecipientKind.Liaison, Local(3, 2, 9)),
            ("reminder", RecipientKind.Liaison, Local(3, 10, 9)),
            ("reminder", RecipientKind.Liaison, Local(3, 12, 9)),
            ("overdue", RecipientKind.Leader, Local(3, 14, 0)),
            ("overdue", RecipientKind.Supervisors, Local(3, 14, 0)),
            ("report-submitted", RecipientKind.Auditors, Local(3, 16, 10)),
            ("report-returned", RecipientKind.Liaison, Local(3, 17, 10)),
            ("reminder", RecipientKind.Liaison, Local(3, 19, 9)),
            ("report-submitted", RecipientKind.Auditors, Local(3, 20, 10)),
            ("report-accepted", RecipientKind.Liaison, Local(3, 23, 10)),
        ], (await MailAsync(database)).Select(m => (m.Template, m.Kind, m.At)));

        // Closed: nothing waits, nothing is due, the instance is finished.
        var instance = await database.WithDbAsync(db => db.Set<WorkflowInstance>().SingleAsync());
        Assert.Equal(WorkflowStatus.Finished, instance.Status);
        Assert.Equal(WorkflowSubStatus.Finished, instance.SubStatus);
        Assert.Empty(await database.WithDbAsync(db => db.Set<WorkflowBookmark>().ToListAsync()));
        var state = InstanceState.Read(instance.State);
        Assert.Equal(ExecutionStatus.Canceled, state.Executions.Single(e => e.ActivityId == "extension").Status);
        Assert.Equal(2, state.Executions.Count(e => e.ActivityId == "escalate") + state.Executions.Count(e => e.ActivityId == "close"));

        // The journal shows the order of events with their times.
        var escalated = state.Journal.Single(j => j.ActivityId == "escalate" && j.EventName == "Completed");
        Assert.Equal(Local(3, 14, 0), escalated.Timestamp);
        Assert.Equal(["Started", "Completed"], state.Journal.Where(j => j.ActivityId == "end").Select(j => j.EventName));
    }

    [Fact]
    public async Task Default_flow_history_names_every_step_in_order()
    {
        await using var database = await CreateAsync();
        var (units, category, inspection) = await SeedAsync(database);
        var unit = units[0];
        var liaison = Sample.LiaisonOf(unit.Id);
        // Started Mon 2026-03-02 09:00; deadline Fri 2026-03-13: two reminders, then the escalation at its end.
        var findingId = (await StartAsync(database, _ => [Sample.Finding(unit, category, inspection, new DateOnly(2026, 3, 13))]))[0];
        Assert.Equal(3, await AdvanceAsync(database, Local(3, 16, 9)));

        database.Clock.SetUtcNow(Local(3, 16, 10));
        var request = await As(database, liaison, sp => sp.GetRequiredService<FindingLifecycle>().RequestExtensionAsync(findingId, new DateOnly(2026, 3, 20), "需上级审定材料", liaison));
        database.Clock.SetUtcNow(Local(3, 16, 11));
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().DecideExtensionAsync(findingId, request.Id, true, "同意", Sample.Auditor));
        database.Clock.SetUtcNow(Local(3, 16, 14));
        var report = await As(database, liaison, sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(findingId, Report(), liaison));
        database.Clock.SetUtcNow(Local(3, 16, 15));
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(findingId, report.Id, false, "证据链接无法打开，请补充", Sample.Auditor));
        database.Clock.SetUtcNow(Local(3, 16, 16));
        var second = await As(database, liaison, sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(findingId, Report("已补充可访问的证据链接"), liaison));
        database.Clock.SetUtcNow(Local(3, 16, 17));
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(findingId, second.Id, true, "整改到位", Sample.Auditor));

        // As the finding page lists it: the entries of one step (same moment, action and person) make one line.
        var history = await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingService>().HistoryAsync(findingId, Sample.Auditor));
        var steps = history.GroupBy(a => (a.At, a.Action, a.ActorName)).Select(g => (g.Key.Action, g.Key.At)).ToList();
        Assert.Equal(
        [
            ("finding.added", Local(3, 2, 9)),
            ("finding.assigned", Local(3, 2, 9)),
            ("finding.reminded", Local(3, 10, 9)),
            ("finding.reminded", Local(3, 12, 9)),
            ("finding.escalated", Local(3, 14, 0)),
            ("extension.requested", Local(3, 16, 10)),
            ("extension.approved", Local(3, 16, 11)),
            ("finding.submitted", Local(3, 16, 14)),
            ("finding.returned", Local(3, 16, 15)),
            ("finding.submitted", Local(3, 16, 16)),
            ("finding.accepted", Local(3, 16, 17)),
        ], steps);
        // The steps the workflow took are the workflow's; the people's are theirs.
        Assert.All(history.Where(a => a.Action is "finding.reminded" or "finding.escalated"), a => Assert.Equal("workflow", a.ActorId));
        Assert.Equal(Sample.Auditor.Id, Assert.Single(history, a => a.Action == "finding.returned" && a.EntityType == nameof(Finding)).ActorId);
        Assert.Single(history, a => a.Action == "finding.returned" && a.EntityType == nameof(Reports.RectificationReport));
    }

    [Fact]
    public async Task Timeline_shows_current_steps_past_steps_and_timers_ahead()
    {
        await using var database = await CreateAsync();
        var (units, category, inspection) = await SeedAsync(database);
        var findingId = (await StartAsync(database, _ => [Sample.Finding(units[1], category, inspection, new DateOnly(2026, 3, 13))]))[0];
        await AdvanceAsync(database, Local(3, 10, 12));

        var timeline = await As(database, Sample.Auditor, sp => sp.GetRequiredService<WorkflowTimeline>().ForFindingAsync(findingId));
        Assert.NotNull(timeline);
        Assert.Equal(WorkflowSubStatus.Suspended, timeline.SubStatus);
        Assert.Equal(["extension", "remind1", "waitReport"], timeline.Current.Select(s => s.ActivityId).Order());
        Assert.Equal(["交办责任单位", "通知联络人（交办）", "期限前3个工作日", "催办（前3日）"], timeline.Past.Select(s => s.DisplayName));
        Assert.Equal(Local(3, 10, 9), timeline.Past.Single(s => s.ActivityId == "mailReminder3").StartedAt);
        Assert.Equal([("remind1", Local(3, 12, 9)), ("waitReport", Local(3, 14, 0))], timeline.TimersAhead.Select(t => (t.ActivityId, t.DueAt)));
        Assert.Contains(nameof(ReportSubmitted), timeline.Current.Single(s => s.ActivityId == "waitReport").WaitingFor);
    }

    [Fact]
    public async Task Resuming_by_the_same_event_twice_changes_nothing_the_second_time()
    {
        await using var database = await CreateAsync();
        var (units, category, inspection) = await SeedAsync(database);
        var unit = units[2];
        var findingId = (await StartAsync(database, _ => [Sample.Finding(unit, category, inspection, new DateOnly(2026, 3, 13))]))[0];
        var report = await As(database, Sample.LiaisonOf(unit.Id), sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(findingId, Report(), Sample.LiaisonOf(unit.Id)));
        var before = await database.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().SingleAsync());
        var mailBefore = (await MailAsync(database)).Count;

        await using (var scope = database.Scope(Sample.LiaisonOf(unit.Id)))
        {
            var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            var finding = await db.Set<Finding>().Include(f => f.Reports).SingleAsync(f => f.Id == findingId);
            foreach (var handler in scope.ServiceProvider.GetServices<IFindingEventHandler>())
                await handler.HandleAsync(new ReportSubmitted(finding, finding.Reports.Single(r => r.Id == report.Id)), default);
            await db.SaveChangesAsync();
        }

        var after = await database.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().SingleAsync());
        Assert.Equal(before.Revision, after.Revision);
        Assert.Equal(before.State, after.State);
        Assert.Equal(mailBefore, (await MailAsync(database)).Count);
    }

    internal static Task<Finding> FindingAsync(TestDatabase database, int id) =>
        database.WithDbAsync(db => db.Set<Finding>().AsNoTracking().SingleAsync(f => f.Id == id));
}
