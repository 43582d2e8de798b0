using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Testing;
using Rectify.Workflows.Timers;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>
/// The demonstration clock starts at a configured instant on a fresh database, keeps its position in the database
/// across a restart (a second app on the same database), and walks 国庆 2026 with its working Saturday 10-10.
/// </summary>
public sealed class DemoClockTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Workflows:DemoClock:Enabled"] = "true",
        ["Workflows:DemoClock:Start"] = "2026-09-28T08:00+08:00",
    };

    /// <summary>An app on the database of <paramref name="directory"/> (a fresh one when null), its demo clock restored as at start.</summary>
    private static async Task<(TestDatabase Database, DemoClockControl Control)> StartAppAsync(string? directory = null)
    {
        var database = await CreateAsync(Settings, directory);
        var control = database.Services.GetRequiredService<DemoClockControl>();
        await control.RestoreAsync();
        return (database, control);
    }

    [Fact]
    public async Task Starts_at_the_configured_instant_and_walks_national_day_2026_with_its_working_saturday()
    {
        var (database, control) = await StartAppAsync();
        await using var _ = database;
        var time = database.Services.GetRequiredService<TimeProvider>();
        Assert.Equal(Local(9, 28, 8), time.GetUtcNow());
        Assert.Equal(Local(9, 28, 8), await database.WithDbAsync(db => db.Set<DemoClockPosition>().Select(p => p.Position).SingleAsync()));

        var (units, category, inspection) = await SeedAsync(database);
        var ids = await StartAsync(database, _ => [Sample.Finding(units[0], category, inspection, new DateOnly(2026, 10, 12))]);
        var moved = await control.AdvanceAsync(Local(10, 14, 9));

        // 3 and 1 working days before Monday 10-12: Thursday 10-08 and the working Saturday 10-10 (10-01…10-07 off).
        Assert.Equal([("reminder", Local(10, 8, 9)), ("reminder", Local(10, 10, 9)), ("overdue", Local(10, 13, 0)), ("overdue", Local(10, 13, 0))],
            (await MailAsync(database)).Where(m => m.Template != "assigned").Select(m => (m.Template, m.At)));
        Assert.Equal(3, moved.TimersFired);
        Assert.True(await database.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == ids[0]).Select(f => f.IsOverdue).SingleAsync()));
        Assert.Equal(Local(10, 14, 9), await database.WithDbAsync(db => db.Set<DemoClockPosition>().Select(p => p.Position).SingleAsync()));
    }

    [Fact]
    public async Task After_a_restart_it_stands_where_it_stood_and_timers_mail_and_reports_stay_in_demo_time()
    {
        var (first, control) = await StartAppAsync();
        await using var _ = first;
        var (units, category, inspection) = await SeedAsync(first);
        var ids = await StartAsync(first, _ => [Sample.Finding(units[0], category, inspection, new DateOnly(2026, 10, 12))]);
        await control.AdvanceAsync(Local(10, 9, 12));
        Assert.Equal(["assigned", "reminder"], (await MailAsync(first)).Select(m => m.Template));

        // A restart: a new app on the same database, whose real (test) clock has moved on by an hour meanwhile.
        var (second, restarted) = await StartAppAsync(first.Directory);
        await using (second)
        {
            second.Clock.Advance(TimeSpan.FromHours(1));
            var time = second.Services.GetRequiredService<TimeProvider>();
            Assert.Equal(Local(10, 9, 13), time.GetUtcNow());
            // Mail queued in demo time is due now, not days ahead of the clock.
            Assert.All(await second.WithDbAsync(db => db.Set<OutboxMessage>().Select(m => m.NextAttemptAt).ToListAsync()), at => Assert.True(at <= time.GetUtcNow()));

            // The timers claimed and stored in demo time fire when the clock reaches them.
            var moved = await restarted.AdvanceAsync(Local(10, 13, 9));
            Assert.Equal(2, moved.TimersFired);
            Assert.Equal(["assigned", "reminder", "reminder", "overdue", "overdue"], (await MailAsync(second)).Select(m => m.Template));

            // A report after the restart is stamped in demo time: after its own escalation, and late.
            var report = await As(second, Sample.LiaisonOf(units[0].Id), sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(ids[0], Report(), Sample.LiaisonOf(units[0].Id)));
            Assert.Equal(Local(10, 13, 9), report.SubmittedAt);
            Assert.False(report.SubmittedOnTime);
        }
    }
}
