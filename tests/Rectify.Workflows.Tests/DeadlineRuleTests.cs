using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Common;
using Rectify.Dashboard;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Testing;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>The exact cases of issue 12 ("Deadlines that hold"), each on the shipped workflow and a fake clock.</summary>
public class DeadlineRuleTests
{
    private static Task<List<(string ActivityId, DateTimeOffset DueAt)>> TimersAsync(TestDatabase database, int findingId) =>
        database.WithDbAsync(async db => (await db.Set<WorkflowTimer>().Join(db.Set<WorkflowInstance>().Where(i => i.FindingId == findingId),
                t => t.InstanceId, i => i.Id, (t, _) => new { t.ActivityId, t.DueAt }).ToListAsync())
            .OrderBy(t => t.DueAt).Select(t => (t.ActivityId, t.DueAt)).ToList());

    private static Task<List<OutboxMessage>> MessagesAsync(TestDatabase database, int findingId, string template) =>
        database.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.FindingId == findingId && m.Template == template).OrderBy(m => m.Id).ToListAsync());

    [Fact]
    public async Task Edit_moves_the_timers_12_14_to_12_10_overdue_on_12_11_one_mail_and_no_duplicate_reminder()
    {
        await using var database = await CreateAsync(start: Local(12, 1, 9));
        var (units, category, inspection) = await SeedAsync(database);
        var id = (await StartAsync(database, _ => [Sample.Finding(units[0], category, inspection, new DateOnly(2026, 12, 14))]))[0];
        Assert.Equal([("remind3", Local(12, 9, 9)), ("remind1", Local(12, 11, 9)), ("waitReport", Local(12, 15, 0))], await TimersAsync(database, id));

        database.Clock.SetUtcNow(Local(12, 2, 10));
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>()
            .ChangeDeadlineAsync(id, new DateOnly(2026, 12, 10), "按区政府督查要求提前完成", Sample.Auditor));

        // The old timers are gone; the new ones follow the definition's offsets from 12-10.
        Assert.Equal([("remind3", Local(12, 7, 9)), ("remind1", Local(12, 9, 9)), ("waitReport", Local(12, 11, 0))], await TimersAsync(database, id));
        var changed = await MessagesAsync(database, id, "deadline-changed");
        Assert.Equal(RecipientKind.Liaison, Assert.Single(changed).RecipientKind);
        Assert.Contains("2026年12月10日", changed[0].ModelJson);
        var history = await database.WithDbAsync(db => db.Set<Auditing.AuditEvent>().Where(a => a.FindingId == id && a.Action == "finding.deadline_changed").ToListAsync());
        Assert.Contains("按区政府督查要求提前完成", Assert.Single(history).After);

        await AdvanceAsync(database, Local(12, 11, 9));
        var finding = await DefaultFlowTests.FindingAsync(database, id);
        Assert.True(finding.IsOverdue);
        Assert.True(finding.QueuedForFollowUp);
        Assert.Equal(Local(12, 11, 0), finding.OverdueSince);
        // One reminder per offset, none repeated: the mail of 12-09 says one working day once.
        var reminders = await MessagesAsync(database, id, "reminder");
        Assert.Equal([Local(12, 7, 9), Local(12, 9, 9)], reminders.Select(m => m.CreatedAt));
        Assert.Contains("剩余1个工作日（12月10日）", reminders[1].ModelJson);
        Assert.Single(await MessagesAsync(database, id, "deadline-changed"));
    }

    [Fact]
    public async Task Return_that_would_shorten_the_deadline_keeps_the_later_one()
    {
        await using var database = await CreateAsync(start: Local(12, 1, 9));
        var (units, category, inspection) = await SeedAsync(database);
        var unit = units[0];
        var id = (await StartAsync(database, _ => [Sample.Finding(unit, category, inspection, new DateOnly(2026, 12, 14))]))[0];
        var report = await As(database, Sample.LiaisonOf(unit.Id), sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(id, Report(), Sample.LiaisonOf(unit.Id)));

        // Returned Tue 12-01: five working days later is 12-08, earlier than the current 12-14, which stays.
        database.Clock.SetUtcNow(Local(12, 1, 10));
        var refused = await Assert.ThrowsAsync<RectifyException>(() => As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>()
            .ReviewAsync(id, report.Id, false, "佐证不足", Sample.Auditor, new DateOnly(2026, 12, 8))));
        Assert.Equal("finding.return_deadline_too_early", refused.Code);
        Assert.Contains("2026-12-14", refused.Message);

        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(id, report.Id, false, "佐证不足", Sample.Auditor));
        var returned = await DefaultFlowTests.FindingAsync(database, id);
        Assert.Equal(FindingStatus.Returned, returned.Status);
        Assert.Equal(new DateOnly(2026, 12, 14), returned.Deadline);
        Assert.Empty(await MessagesAsync(database, id, "deadline-changed"));
        Assert.Equal([("remind3", Local(12, 9, 9)), ("remind1", Local(12, 11, 9)), ("waitReport", Local(12, 15, 0))], await TimersAsync(database, id));
        await AdvanceAsync(database, Local(12, 14, 23));
        Assert.False((await DefaultFlowTests.FindingAsync(database, id)).IsOverdue);
        Assert.Empty(await MessagesAsync(database, id, "overdue"));
    }

    [Fact]
    public async Task Past_deadline_is_refused_when_issuing_with_finding_deadline_past()
    {
        await using var database = await CreateAsync(start: Local(11, 30, 9));
        var (units, category, inspection) = await SeedAsync(database);
        var draftId = await database.WithDbAsync(async db =>
        {
            var draft = Sample.Finding(units[0], category, inspection, new DateOnly(2026, 1, 5));
            db.Add(draft);
            await db.SaveChangesAsync();
            return draft.Id;
        });
        var error = await Assert.ThrowsAsync<RectifyException>(() => As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingService>().IssueAsync([draftId], Sample.Auditor)));
        Assert.Equal("finding.deadline_past", error.Code);
        Assert.Contains($"问题 #{draftId}", error.Message);
        Assert.Contains(units[0].Name, error.Message);
        var draft = await DefaultFlowTests.FindingAsync(database, draftId);
        Assert.Equal(FindingStatus.Draft, draft.Status);
        Assert.Empty(await database.WithDbAsync(db => db.Set<OutboxMessage>().ToListAsync()));
        Assert.Empty(await database.WithDbAsync(db => db.Set<WorkflowInstance>().ToListAsync()));

        // Saving such a date is refused too.
        var input = new FindingInput { InspectionId = inspection.Id, UnitId = units[0].Id, CategoryId = category.Id, Description = "栏目未更新", Deadline = new DateOnly(2026, 1, 5) };
        Assert.Equal("finding.deadline_past", (await Assert.ThrowsAsync<RectifyException>(() =>
            As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingService>().CreateAsync(input, Sample.Auditor)))).Code);
    }

    [Fact]
    public async Task Working_days_are_resolved_when_issued_not_when_imported()
    {
        // Recorded on Thu 2026-09-24 as "5个工作日"; issued on Fri 10-09, after 中秋 and 国庆.
        await using var database = await CreateAsync(start: Local(9, 24, 9));
        var (units, category, inspection) = await SeedAsync(database);
        var input = new FindingInput { InspectionId = inspection.Id, UnitId = units[0].Id, CategoryId = category.Id, Description = "栏目未更新", DeadlineWorkingDays = 5 };
        var draft = await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingService>().CreateAsync(input, Sample.Auditor));
        Assert.Equal(5, draft.DeadlineWorkingDays);
        // Issued that day it would be Fri 10-09: 09-28, 09-29, 09-30, 10-08, 10-09 (中秋 and 国庆 do not count).
        Assert.Equal(new DateOnly(2026, 10, 9), draft.Deadline);

        database.Clock.SetUtcNow(Local(10, 9, 16));
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingService>().IssueAsync([draft.Id], Sample.Auditor));
        var issued = await DefaultFlowTests.FindingAsync(database, draft.Id);
        // From the next working day after issuing: Sat 10-10 (调休 working day), 10-12, 10-13, 10-14, 10-15.
        Assert.Equal(new DateOnly(2026, 10, 15), issued.Deadline);
        Assert.Null(issued.DeadlineWorkingDays);
        Assert.False(issued.IsOverdue);
        Assert.Equal(FindingStatus.Assigned, issued.Status);
        Assert.Equal([("remind3", Local(10, 12, 9)), ("remind1", Local(10, 14, 9)), ("waitReport", Local(10, 16, 0))], await TimersAsync(database, draft.Id));
    }

    [Fact]
    public async Task Returned_status_is_visible_on_the_dashboard_the_filter_and_the_ledger()
    {
        await using var database = await CreateAsync(start: Local(12, 1, 9));
        var (units, category, inspection) = await SeedAsync(database);
        var unit = units[0];
        var id = (await StartAsync(database, _ => [Sample.Finding(unit, category, inspection, new DateOnly(2026, 12, 14))]))[0];
        var liaison = Sample.LiaisonOf(unit.Id);
        var report = await As(database, liaison, sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(id, Report(), liaison));
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(id, report.Id, false, "佐证不足", Sample.Auditor));

        var dashboard = await As(database, Sample.Supervisor, sp => sp.GetRequiredService<DashboardService>().GetAsync(Sample.Supervisor));
        Assert.Equal(1, dashboard.ByStatus[FindingStatus.Returned]);
        Assert.Equal(0, dashboard.ByStatus[FindingStatus.Assigned]);
        var mine = await As(database, liaison, sp => sp.GetRequiredService<FindingService>().SearchAsync(new FindingFilter { Status = FindingStatus.Returned }, liaison));
        Assert.Equal([id], mine.Items.Select(r => r.Id));
        Assert.Equal("退回", FindingStatus.Returned.Label().Zh);

        // The unit resubmits straight from 退回.
        await As(database, liaison, sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(id, Report("已补充佐证"), liaison));
        Assert.Equal(FindingStatus.Submitted, (await DefaultFlowTests.FindingAsync(database, id)).Status);
    }

    [Fact]
    public async Task Reminders_count_working_days_across_national_day()
    {
        // Deadline Fri 2026-10-09; the first reminder on Tue 09-29 is ten calendar days but three working days before it.
        await using var database = await CreateAsync(start: Local(9, 21, 9));
        var (units, category, inspection) = await SeedAsync(database);
        var id = (await StartAsync(database, _ => [Sample.Finding(units[0], category, inspection, new DateOnly(2026, 10, 9))]))[0];
        await AdvanceAsync(database, Local(10, 8, 10));
        var reminders = await MessagesAsync(database, id, "reminder");
        Assert.Equal([Local(9, 29, 9), Local(10, 8, 9)], reminders.Select(m => m.CreatedAt));
        Assert.Contains("剩余3个工作日（10月9日）", reminders[0].ModelJson);
        Assert.Contains("剩余1个工作日（10月9日）", reminders[1].ModelJson);
        Assert.DoesNotContain("剩余10", reminders[0].ModelJson);
    }

    [Fact]
    public async Task Edit_moves_the_timers_of_an_instance_started_before_the_deadline_signal_existed()
    {
        await using var database = await CreateAsync(start: Local(12, 1, 9));
        var (units, category, inspection) = await SeedAsync(database);
        var id = (await StartAsync(database, _ => [Sample.Finding(units[0], category, inspection, new DateOnly(2026, 12, 14))]))[0];
        // As such an instance stands: its reminders and its deadline wait for ExtensionDecided.
        await database.WithDbAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("""UPDATE "WorkflowBookmarks" SET "Name" = 'ExtensionDecided' WHERE "Name" = 'DeadlineChanged'""");
            await db.Database.ExecuteSqlRawAsync("""UPDATE "WorkflowInstances" SET "State" = REPLACE("State", '"DeadlineChanged"', '"ExtensionDecided"')""");
            return 0;
        });

        database.Clock.SetUtcNow(Local(12, 2, 10));
        await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>()
            .ChangeDeadlineAsync(id, new DateOnly(2026, 12, 10), "按区政府督查要求提前完成", Sample.Auditor));
        Assert.Equal([("remind3", Local(12, 7, 9)), ("remind1", Local(12, 9, 9)), ("waitReport", Local(12, 11, 0))], await TimersAsync(database, id));
        // The extension step still waits for its decision.
        Assert.Contains(await database.WithDbAsync(db => db.Set<WorkflowBookmark>().Select(b => new { b.ActivityId, b.Name }).ToListAsync()),
            b => b.ActivityId == "extension" && b.Name == nameof(ExtensionDecided));
    }
}
