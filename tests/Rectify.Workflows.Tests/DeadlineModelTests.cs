using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Reports;
using Rectify.Testing;
using Rectify.Time;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>
/// Model-based: seeded random sequences of issue, deadline edits, extension requests and decisions, reports, returns,
/// acceptances and clock moves across the 2025–2026 holidays, on a fake clock and the shipped workflow. After every
/// step each finding's status, overdue flag, follow-up queue, timers ahead and the mails queued for it equal what the
/// small reference model below computes from the same history.
/// </summary>
public class DeadlineModelTests
{
    private const int Steps = 2_000;
    private const int Findings = 24;
    private static readonly TimeOnly ReminderTime = new(9, 0);

    /// <summary>What the reference model expects of one finding.</summary>
    private sealed class Expected
    {
        public required int Id { get; init; }
        public required int UnitId { get; init; }
        public required int WorkingDays { get; init; }
        public FindingStatus Status { get; set; } = FindingStatus.Draft;
        public DateOnly Deadline { get; set; }
        public bool Overdue { get; set; }
        public bool Queued { get; set; }
        public DateOnly? PendingExtension { get; set; }
        /// <summary>Reminder offsets (3, 1 working days before) still to fire, with their moments; the deadline timer.</summary>
        public Dictionary<int, DateTimeOffset> Reminders { get; } = [];
        public DateTimeOffset? DeadlineTimer { get; set; }
        public List<(string Template, RecipientKind Kind)> Mails { get; } = [];
    }

    [Fact]
    public async Task Random_histories_keep_status_flags_timers_and_mails_equal_to_the_reference_model()
    {
        await using var database = await CreateAsync(start: Local(9, 1, 9, year: 2025));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (units, category, inspection) = await SeedAsync(database);
        var calendar = database.Services.GetRequiredService<WorkingDayCalendar>();
        var clock = database.Services.GetRequiredService<OfficeClock>();
        var random = new Random(20261130);
        var model = new List<Expected>();
        async Task AddDraftAsync(int i)
        {
            var unit = units[i % 3];
            var days = random.Next(2, 13);
            var input = new FindingInput { InspectionId = inspection.Id, UnitId = unit.Id, CategoryId = category.Id, Description = $"问题{i}", DeadlineWorkingDays = days };
            var draft = await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingService>().CreateAsync(input, Sample.Auditor));
            model.Add(new Expected { Id = draft.Id, UnitId = unit.Id, WorkingDays = days });
        }
        for (var i = 0; i < Findings; i++)
            await AddDraftAsync(i);
        long lastMail = 0;
        DateTimeOffset Now() => database.Clock.GetUtcNow();
        DateOnly Today() => clock.Today;
        DateTimeOffset Due(DateOnly deadline, int before) => clock.StartOf(calendar.Add(deadline, WorkingDays.Before(before))) + ReminderTime.ToTimeSpan();

        // The waiting phase (待整改 or 退回, no report in): reminders ahead for the deadline, and the deadline's end unless overdue.
        void Arm(Expected f)
        {
            f.Reminders.Clear();
            foreach (var before in new[] { 3, 1 })
            {
                if (Due(f.Deadline, before) > Now())
                    f.Reminders[before] = Due(f.Deadline, before);
            }
            f.DeadlineTimer = null;
            if (f.Overdue)
                return;
            if (clock.EndOf(f.Deadline) > Now())
                f.DeadlineTimer = clock.EndOf(f.Deadline);
            else
                Escalate(f);
        }
        void Escalate(Expected f)
        {
            f.Overdue = f.Queued = true;
            f.DeadlineTimer = null;
            f.Mails.Add(("overdue", RecipientKind.Leader));
            f.Mails.Add(("overdue", RecipientKind.Supervisors));
        }
        // A workflow mail to the liaison in the same save (returned, extension decided) tells the change instead.
        void Move(Expected f, DateOnly to, bool toldByWorkflow = false)
        {
            if (to == f.Deadline)
                return;
            f.Deadline = to;
            if (Now() < clock.EndOf(to))
                f.Overdue = f.Queued = false;
            if (!toldByWorkflow)
                f.Mails.Add(("deadline-changed", RecipientKind.Liaison));
            if (f.Status is FindingStatus.Assigned or FindingStatus.Returned)
                Arm(f);
        }
        void AdvanceModel(DateTimeOffset until)
        {
            while (true)
            {
                var next = model.SelectMany(f => f.Reminders.Select(r => (f, r.Value, Before: r.Key))
                        .Concat(f.DeadlineTimer is { } d ? [(f, d, Before: 0)] : []))
                    .Where(x => x.Item2 <= until).OrderBy(x => x.Item2).ToList();
                if (next.Count == 0)
                    return;
                var (f, _, before) = next[0];
                if (before == 0)
                    Escalate(f);
                else
                {
                    f.Reminders.Remove(before);
                    f.Mails.Add(("reminder", RecipientKind.Liaison));
                }
            }
        }

        var counts = new Dictionary<string, int>();
        // Steps that changed something count; a drawn action the finding's state does not allow is drawn again.
        for (var step = 0; counts.Values.Sum() < Steps; step++)
        {
            Assert.True(step < Steps * 3, "the history stalls");
            var action = random.Next(100);
            var open = model.Where(x => x.Status != FindingStatus.Accepted).ToList();
            var f = open[random.Next(open.Count)];
            var liaison = Sample.LiaisonOf(f.UnitId);
            string? done = null;
            if (action < 30)
            {
                var until = Now() + TimeSpan.FromMinutes(random.Next(60, 26 * 60));
                await AdvanceAsync(database, until);
                AdvanceModel(until);
                done = "clock";
            }
            else if (f.Status == FindingStatus.Draft && action < 45)
            {
                await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingService>().IssueAsync([f.Id], Sample.Auditor));
                f.Status = FindingStatus.Assigned;
                f.Deadline = calendar.Add(Today(), WorkingDays.After(f.WorkingDays));
                f.Mails.Add(("assigned", RecipientKind.Liaison));
                Arm(f);
                done = "issue";
            }
            else if (f.Status is FindingStatus.Assigned or FindingStatus.Submitted or FindingStatus.Returned && action < 52)
            {
                var to = Today().AddDays(random.Next(0, 25));
                await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ChangeDeadlineAsync(f.Id, to, "按督查要求调整", Sample.Auditor));
                Move(f, to);
                done = "edit";
            }
            else if (f.Status is FindingStatus.Assigned or FindingStatus.Returned && f.PendingExtension is null && action < 60)
            {
                var to = f.Deadline.AddDays(random.Next(1, 15));
                await As(database, liaison, sp => sp.GetRequiredService<FindingLifecycle>().RequestExtensionAsync(f.Id, to, "材料需上级审定", liaison));
                f.PendingExtension = to;
                done = "request";
            }
            else if (f.PendingExtension is { } requested && f.Status is FindingStatus.Assigned or FindingStatus.Submitted or FindingStatus.Returned && action < 70)
            {
                var approve = random.Next(2) == 0;
                var requestId = await database.WithDbAsync(db => db.Set<ExtensionRequest>().Where(x => x.FindingId == f.Id && x.Decision == ExtensionDecision.Pending).Select(x => x.Id).SingleAsync());
                await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().DecideExtensionAsync(f.Id, requestId, approve, "", Sample.Auditor));
                f.PendingExtension = null;
                if (approve)
                    Move(f, requested, toldByWorkflow: true);
                f.Mails.Add(("extension-decided", RecipientKind.Liaison));
                done = approve ? "approve" : "deny";
            }
            else if (f.Status is FindingStatus.Assigned or FindingStatus.Returned && action < 82)
            {
                await As(database, liaison, sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(f.Id, Report(), liaison));
                done = f.Status == FindingStatus.Returned ? "resubmit" : "submit";
                f.Status = FindingStatus.Submitted;
                f.Reminders.Clear();
                f.DeadlineTimer = null;
                f.Mails.Add(("report-submitted", RecipientKind.Auditors));
            }
            else if (f.Status == FindingStatus.Submitted)
            {
                var accept = random.Next(3) == 0;
                var reportId = await database.WithDbAsync(db => db.Set<RectificationReport>().Where(r => r.FindingId == f.Id && r.Decision == ReviewDecision.Pending).Select(r => r.Id).SingleAsync());
                if (accept)
                {
                    await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(f.Id, reportId, true, "整改到位", Sample.Auditor));
                    f.Status = FindingStatus.Accepted;
                    f.Mails.Add(("report-accepted", RecipientKind.Liaison));
                    // A closed finding is done with; a new draft keeps the pool of live findings full.
                    await AddDraftAsync(model.Count);
                    done = "accept";
                }
                else
                {
                    var proposed = calendar.Add(Today(), WorkingDays.After(5));
                    if (f.Deadline > proposed)
                        proposed = f.Deadline;
                    // Sometimes the auditor gives more time than the rule's date.
                    var to = random.Next(3) == 0 ? proposed.AddDays(random.Next(1, 6)) : proposed;
                    await As(database, Sample.Auditor, sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(f.Id, reportId, false, "佐证不足", Sample.Auditor, to));
                    f.Status = FindingStatus.Returned;
                    Move(f, to, toldByWorkflow: true);
                    f.Mails.Add(("report-returned", RecipientKind.Liaison));
                    Arm(f);
                    done = "return";
                }
            }
            if (done is null)
                continue;
            counts[done] = counts.GetValueOrDefault(done) + 1;
            lastMail = await CheckAsync(database, model, lastMail, $"step {step} ({done} #{f.Id}) at {clock.ToLocal(Now()):yyyy-MM-dd HH:mm}");
        }

        // The history really covered every kind of step, many times, across the holidays of both years.
        Assert.All(new[] { "clock", "issue", "edit", "request", "approve", "deny", "submit", "resubmit", "return", "accept" },
            kind => Assert.True(counts.GetValueOrDefault(kind) >= 5, $"{kind}: {counts.GetValueOrDefault(kind)}"));
        Assert.True(Today() > new DateOnly(2026, 10, 8) && Today().Year == 2026, $"the clock stands at {Today()}, not after 国庆 2026");
        Console.WriteLine($"{Steps} steps over {model.Count} findings to {Today()} in {watch.Elapsed}: {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}");
    }

    /// <summary>Compares every finding with the model; mails are compared as they arrive. Returns the last mail id seen.</summary>
    private static async Task<long> CheckAsync(TestDatabase database, List<Expected> model, long lastMail, string where)
    {
        var (findings, timers, mails) = await database.WithDbAsync(async db => (
            await db.Set<Finding>().AsNoTracking().ToDictionaryAsync(f => f.Id),
            await db.Set<WorkflowTimer>().Join(db.Set<WorkflowInstance>(), t => t.InstanceId, i => i.Id, (t, i) => new { i.FindingId, t.ActivityId, t.DueAt }).ToListAsync(),
            await db.Set<OutboxMessage>().Where(m => m.Id > lastMail).OrderBy(m => m.Id).Select(m => new { m.Id, m.FindingId, m.Template, m.RecipientKind }).ToListAsync()));
        foreach (var f in model)
        {
            var actual = findings[f.Id];
            Assert.True(f.Status == actual.Status, $"{where}: #{f.Id} status {actual.Status}, model {f.Status}");
            if (f.Status == FindingStatus.Draft)
                continue;
            Assert.True(f.Deadline == actual.Deadline, $"{where}: #{f.Id} deadline {actual.Deadline}, model {f.Deadline}");
            Assert.True(f.Overdue == actual.IsOverdue, $"{where}: #{f.Id} overdue {actual.IsOverdue}, model {f.Overdue}");
            Assert.True(f.Queued == actual.QueuedForFollowUp, $"{where}: #{f.Id} follow-up {actual.QueuedForFollowUp}, model {f.Queued}");
            var expectedTimers = f.Reminders.Select(r => ($"remind{r.Key}", r.Value))
                .Concat(f.DeadlineTimer is { } d ? [("waitReport", d)] : []).Order().ToList();
            var actualTimers = timers.Where(t => t.FindingId == f.Id).Select(t => (t.ActivityId, t.DueAt)).Order().ToList();
            Assert.True(expectedTimers.SequenceEqual(actualTimers),
                $"{where}: #{f.Id} timers [{string.Join(", ", actualTimers)}], model [{string.Join(", ", expectedTimers)}]");
        }
        var arrived = mails.GroupBy(m => m.FindingId ?? 0).ToDictionary(g => g.Key, g => g.Select(m => (m.Template, m.RecipientKind)).ToList());
        foreach (var f in model)
        {
            var expected = f.Mails.ToList();
            f.Mails.Clear();
            var actual = arrived.GetValueOrDefault(f.Id) ?? [];
            Assert.True(expected.SequenceEqual(actual), $"{where}: #{f.Id} mails [{string.Join(", ", actual)}], model [{string.Join(", ", expected)}]");
        }
        return mails.Count > 0 ? mails[^1].Id : lastMail;
    }
}
