using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Mail;
using Rectify.Mail.Outbox;
using Rectify.Testing;
using Rectify.Workflows.Timers;
using System.Globalization;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>
/// Two app nodes (each with its own services, clock, timer dispatcher and mail sender) on one database — the SQLite
/// file on the SQLite pass, one PostgreSQL database on the PostgreSQL pass — and one real SMTP server (MailDev):
/// 2,000 reminders due at the same moment reach the server exactly once, also when one node dies holding claims.
/// </summary>
public class MultiNodeTests
{
    private const int Findings = 2000;
    private const int TimerBatch = 250;
    private const int MailBatch = 100;

    /// <summary>Reminder 3 working days before the deadline of Fri 2026-03-13: Tue 03-10 09:00 for every finding.</summary>
    private static readonly DateTimeOffset ReminderDue = Local(3, 10, 9);

    [Fact]
    public async Task Two_nodes_deliver_every_reminder_due_at_one_moment_exactly_once()
    {
        await using var smtp = await MailDevServer.StartNewAsync();
        var (a, b) = await StartNodesAsync(smtp);
        await using var nodeA = a;
        await using var nodeB = b;

        var watch = Stopwatch.StartNew();
        var work = await Task.WhenAll(Task.Run(() => RunUntilIdleAsync(nodeA)), Task.Run(() => RunUntilIdleAsync(nodeB)));
        Console.WriteLine($"two nodes: fired {work[0].Fired}+{work[1].Fired}, sent {work[0].Sent}+{work[1].Sent} in {watch.ElapsedMilliseconds} ms");

        Assert.Equal(Findings, work.Sum(w => w.Fired));
        Assert.Equal(2 * Findings, work.Sum(w => w.Sent));
        Assert.All(work, w => Assert.True(w.Fired + w.Sent > 0, "One node did no work: the test raced nothing."));
        await AssertDeliveredOnceAsync(nodeB, smtp);
    }

    [Fact]
    public async Task A_node_stopped_holding_claims_has_its_work_finished_by_the_other_after_the_lease()
    {
        await using var smtp = await MailDevServer.StartNewAsync();
        var (a, b) = await StartNodesAsync(smtp);
        await using var nodeA = a;
        await using var nodeB = b;

        // Node A sends one batch of the assigned mails, claims a batch of the due timers and a batch of mails, and dies.
        Assert.Equal(MailBatch, await nodeA.Services.GetRequiredService<MailSender>().SendDueAsync());
        Assert.Equal(TimerBatch, (await nodeA.Services.GetRequiredService<TimerDispatcher>().ClaimAsync()).Count);
        await using (var scope = nodeA.Scope())
            Assert.Equal(MailBatch, (await nodeA.Services.GetRequiredService<MailSender>().ClaimAsync(scope.ServiceProvider.GetRequiredService<RectifyDb>())).Sum(batch => batch.Count));
        await nodeA.Services.DisposeAsync();

        // Node B does everything else and leaves A's claims alone while A's leases last.
        var before = await RunUntilIdleAsync(nodeB);
        Assert.Equal(Findings - TimerBatch, before.Fired);
        var expectedSent = Findings - 2 * MailBatch + (Findings - TimerBatch);
        Assert.True(before.Sent == expectedSent, $"Node B sent {before.Sent}, not {expectedSent}: {await OutboxLedgerAsync(nodeB)}");
        Assert.Equal(TimerBatch, await nodeB.WithDbAsync(db => db.Set<WorkflowTimer>().CountAsync(t => t.DueAt <= ReminderDue)));
        Assert.Equal(MailBatch, await nodeB.WithDbAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Pending)));

        // Past both leases, B takes over A's claims.
        var workflowLease = nodeB.Services.GetRequiredService<IOptions<WorkflowOptions>>().Value.LeaseDuration;
        var mailLease = nodeB.Services.GetRequiredService<IOptions<MailOptions>>().Value.LeaseDuration;
        nodeB.Clock.Advance((workflowLease > mailLease ? workflowLease : mailLease) + TimeSpan.FromSeconds(1));
        var after = await RunUntilIdleAsync(nodeB);
        Assert.Equal(TimerBatch, after.Fired);
        Assert.Equal(MailBatch + TimerBatch, after.Sent);
        await AssertDeliveredOnceAsync(nodeB, smtp);
    }

    [Fact]
    public async Task Reports_on_one_node_and_reminders_fired_on_the_other_resume_each_instance_in_turn()
    {
        const int findings = 200;
        await using var smtp = await MailDevServer.StartNewAsync();
        // Small timer claims, so that node A's firing runs alongside node B's reports instead of ahead of them.
        var (a, b) = await StartNodesAsync(smtp, findings, timerBatch: 10);
        await using var nodeA = a;
        await using var nodeB = b;
        var started = await nodeA.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking()
            .Join(db.Set<Finding>(), i => i.FindingId, f => f.Id, (i, f) => new { f.Id, f.UnitId, i.Revision }).ToListAsync());

        var dispatcher = nodeA.Services.GetRequiredService<TimerDispatcher>();
        var firing = Task.Run(async () =>
        {
            while (await dispatcher.FireDueAsync() > 0 || await ClaimableAsync(nodeA, mail: false))
                await Task.Yield();
        });
        var reporting = Task.Run(async () =>
        {
            foreach (var f in started)
                await As(nodeB, Sample.LiaisonOf(f.UnitId), sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(f.Id, Report(), Sample.LiaisonOf(f.UnitId)));
        });
        await Task.WhenAll(firing, reporting);

        // Each instance took the report once and its reminder at most once (none when the report came first and
        // cancelled it), each resume on top of the other's: its revision counts both, nothing was overwritten.
        var reminders = (await MailAsync(nodeA)).Where(m => m.Template == "reminder").GroupBy(m => m.FindingId!.Value).ToDictionary(g => g.Key, g => g.Count());
        var revisions = await nodeA.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().Where(i => i.FindingId != null).ToDictionaryAsync(i => i.FindingId!.Value, i => i.Revision));
        var statuses = await nodeA.WithDbAsync(db => db.Set<Finding>().AsNoTracking().ToDictionaryAsync(f => f.Id, f => f.Status));
        var reports = await nodeA.WithDbAsync(db => db.Set<RectificationReport>().AsNoTracking().GroupBy(r => r.FindingId).ToDictionaryAsync(g => g.Key, g => g.Count()));
        Assert.All(started, f =>
        {
            var reminded = reminders.GetValueOrDefault(f.Id);
            Assert.InRange(reminded, 0, 1);
            Assert.Equal(f.Revision + 1 + reminded, revisions[f.Id]);
            Assert.Equal(FindingStatus.Submitted, statuses[f.Id]);
            Assert.Equal(1, reports.GetValueOrDefault(f.Id));
        });
        Assert.True(reminders.Count > 0, "Node A fired no reminder: the test raced nothing.");
        Assert.Equal(0, await nodeA.WithDbAsync(db => db.Set<WorkflowTimer>().CountAsync(t => t.DueAt <= ReminderDue)));
        // Both nodes' audit entries, appended side by side, form one unbroken hash chain.
        var chain = await nodeA.WithDbAsync(db => Rectify.Auditing.AuditChain.VerifyAsync(db));
        Assert.True(chain.IsIntact, chain.FirstBreak?.MessageEn);
        Assert.Equal(chain.Entries, chain.Head!.Sequence);
    }

    /// <summary>
    /// Two nodes on one new database sending to <paramref name="smtp"/>, 2,000 findings started (their assigned mails
    /// queued) and both clocks at the moment their first reminders are due. Small claims make the nodes interleave;
    /// one mail per message (no digest) so that the server's count is the outbox's.
    /// </summary>
    private static async Task<(TestDatabase A, TestDatabase B)> StartNodesAsync(MailDevServer smtp, int findings = Findings, int timerBatch = TimerBatch)
    {
        var directory = Path.Combine(Path.GetTempPath(), "rectify-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>
        {
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = smtp.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Mail:Smtp:Security"] = "None",
            ["Mail:Digest"] = "false",
            ["Mail:BatchSize"] = MailBatch.ToString(CultureInfo.InvariantCulture),
            ["Workflows:ClaimBatchSize"] = timerBatch.ToString(CultureInfo.InvariantCulture),
            ["Workflows:FireGroupSize"] = "50",
        };
        var nodeA = await CreateAsync(settings, directory);
        var (units, category, inspection) = await SeedAsync(nodeA);
        var deadline = new DateOnly(2026, 3, 13);
        // Started as notices issue them, 50 findings per transaction.
        foreach (var notice in Enumerable.Range(0, findings).Chunk(50))
            await StartAsync(nodeA, _ => notice.Select(i => Sample.Finding(units[i % units.Count], category, inspection, deadline, $"问题{i}")));
        var nodeB = await CreateAsync(settings, directory);
        nodeA.Clock.SetUtcNow(ReminderDue);
        nodeB.Clock.SetUtcNow(ReminderDue);
        Assert.Equal(findings, await nodeA.WithDbAsync(db => db.Set<WorkflowTimer>().CountAsync(t => t.DueAt == ReminderDue)));
        return (nodeA, nodeB);
    }

    /// <summary>
    /// One node's background work as its services do it (fire due timers, send due mail), run until nothing is left
    /// that this node may take: what remains is held by another node's lease.
    /// </summary>
    private static async Task<(int Fired, int Sent)> RunUntilIdleAsync(TestDatabase node)
    {
        var dispatcher = node.Services.GetRequiredService<TimerDispatcher>();
        var sender = node.Services.GetRequiredService<MailSender>();
        var (fired, sent) = (0, 0);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var firedNow = await dispatcher.FireDueAsync();
            var sentNow = await sender.SendDueAsync();
            fired += firedNow;
            sent += sentNow;
            if (firedNow + sentNow > 0)
                continue;
            if (!await ClaimableAsync(node))
                return (fired, sent);
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(2), "The node kept finding work it could not take.");
            // The other node won the rows this one selected; look again.
            await Task.Delay(10);
        }
    }

    private static Task<bool> ClaimableAsync(TestDatabase node, bool mail = true)
    {
        var now = node.Clock.GetUtcNow();
        return node.WithDbAsync(async db =>
            await db.Set<WorkflowTimer>().AnyAsync(t => t.DueAt <= now && (t.LeaseUntil == null || t.LeaseUntil < now))
            || mail && await db.Set<OutboxMessage>().AnyAsync(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now && (m.LeaseUntil == null || m.LeaseUntil < now)));
    }

    /// <summary>The outbox in one line, for a failure message: rows by template, status and lease, and the failed attempts' errors.</summary>
    private static Task<string> OutboxLedgerAsync(TestDatabase node)
    {
        var now = node.Clock.GetUtcNow();
        return node.WithDbAsync(async db =>
        {
            var rows = await db.Set<OutboxMessage>().AsNoTracking()
                .Select(m => new { m.Template, m.Status, Leased = m.LeaseUntil != null && m.LeaseUntil >= now, Later = m.NextAttemptAt > now, m.LastError })
                .ToListAsync();
            var groups = rows.GroupBy(m => (m.Template, m.Status, m.Leased, m.Later))
                .Select(g => $"{g.Key.Template}/{g.Key.Status}{(g.Key.Leased ? "/leased" : "")}{(g.Key.Later ? "/later" : "")} {g.Count()}");
            var errors = rows.Where(m => m.LastError is not null).Select(m => m.LastError).Distinct().Take(3);
            var failed = await db.Set<OutboxAttempt>().AsNoTracking().Where(a => !a.Succeeded).Select(a => a.Error).Take(3).ToListAsync();
            return $"rows {string.Join(", ", groups)}; row errors [{string.Join(" | ", errors)}]; failed attempts [{string.Join(" | ", failed)}]";
        });
    }

    /// <summary>The server holds one assigned mail and one reminder per finding, each one outbox row, no Message-Id twice.</summary>
    private static async Task AssertDeliveredOnceAsync(TestDatabase database, MailDevServer smtp)
    {
        var received = await smtp.GetMessagesAsync();
        Assert.Equal(2 * Findings, received.Count);
        Assert.Equal(received.Count, received.Select(m => m.MessageId).Distinct().Count());
        var rows = await database.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().ToDictionaryAsync(m => m.Id));
        Assert.All(rows.Values, m => Assert.Equal(OutboxStatus.Sent, m.Status));
        var delivered = received.Select(m => rows[long.Parse(m.Headers!["x-rectify-outbox"].GetString()!, CultureInfo.InvariantCulture)]).ToList();
        Assert.Equal(rows.Count, delivered.DistinctBy(m => m.Id).Count());
        foreach (var template in new[] { "assigned", "reminder" })
        {
            var perFinding = delivered.Where(m => m.Template == template).GroupBy(m => m.FindingId).ToList();
            Assert.Equal(Findings, perFinding.Count);
            Assert.All(perFinding, g => Assert.Single(g));
        }
        Assert.Equal(Findings, received.Count(m => m.Subject.StartsWith("【催办】", StringComparison.Ordinal)));
    }
}
