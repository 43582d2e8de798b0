using System.Globalization;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Mail.Outbox;
using Rectify.Testing;
using Rectify.Workflows;
using Rectify.Workflows.Timers;
using Xunit.Abstractions;

namespace Rectify.Notices.Tests;

/// <summary>
/// A notice of any size is issued in chunks of at most <see cref="FindingIssuer.ChunkSize"/> findings, yet whole or not at
/// all: until it is published its findings, timers and mails are out of sight, an issue stopped half-way goes on from
/// where it stopped when tried again, and one stopped in its clean-up is seen whole and cleaned up at the next start.
/// </summary>
public sealed class ChunkedIssueTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly CrashingChunk _crash = new();
    private NoticeTestBed _bed = null!;

    public async Task InitializeAsync() =>
        _bed = await NoticeTestBed.CreateAsync(more: services => services.AddSingleton<IStagedRows>(_crash));

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    /// <summary>A draft notice of <paramref name="count"/> new findings, all due 2026-04-30 (today is 2026-03-02).</summary>
    private async Task<(int Notice, int Inspection)> BigNoticeAsync(int count, string number)
    {
        var inspection = await _bed.InspectionAsync($"{number}检查", new(2026, 2, 1), new(2026, 2, 28), Enumerable.Range(1, count)
            .Select(i => (NoticeTestBed.UnitNames[i % 5], NoticeTestBed.CategoryNames[i % 4], $"{number}问题{i}", new DateOnly(2026, 4, 30))).ToArray());
        return (await _bed.DraftAsync(number, new(2026, 3, 2), inspection), inspection);
    }

    private Task<T> Notices<T>(Func<NoticeService, Task<T>> work) => _bed.WithAsync(sp => work(sp.GetRequiredService<NoticeService>()));

    [Fact]
    public async Task A_notice_stopped_between_chunks_shows_nothing_of_its_findings_and_the_next_attempt_issues_it_whole()
    {
        const int count = 250;
        var (id, inspection) = await BigNoticeAsync(count, "X政公办〔2026〕9号");
        // The third chunk dies as a killed process would: its transaction never commits.
        _crash.HoldsBeforeCrash = 3;
        await Assert.ThrowsAsync<IOException>(() => Notices(n => n.IssueAsync(id, Sample.Auditor)));

        Assert.Equal(NoticeStatus.Issuing, (await Notices(n => n.GetAsync(id, Sample.Auditor))).Status);
        // Two chunks committed; their size depends on how fast the machine writes (ChunkPacer), at most ChunkSize each.
        var (done, total) = await Notices(async n => await n.IssueProgressAsync(id) is { } p ? (p.Done, p.Total) : default);
        Assert.Equal(count, total);
        Assert.InRange(done, 2 * ChunkPacer.MinSize, 2 * FindingIssuer.ChunkSize);
        var unit = _bed.Units["教育局"];
        Assert.DoesNotContain(await Notices(n => n.ListAsync(Sample.LiaisonOf(unit))), s => s.Id == id);
        // The staged findings are assigned but seen by nobody; the others are still drafts.
        Assert.Equal(count - done, await _bed.Db.WithDbAsync(db => db.Set<Finding>().CountAsync(f => f.InspectionId == inspection)));
        Assert.Equal(done, await _bed.Db.WithDbAsync(db => db.Set<Finding>().IgnoreQueryFilters().CountAsync(f => f.InspectionId == inspection && f.StagingId != null && f.Status == FindingStatus.Assigned)));
        Assert.Equal(count - done, await _bed.Db.WithDbAsync(db => db.Set<Finding>().CountAsync(f => f.InspectionId == inspection && f.Status == FindingStatus.Draft)));
        var seen = await _bed.WithAsync(sp => sp.GetRequiredService<FindingService>().SearchAsync(new FindingFilter { InspectionId = inspection }, Sample.LiaisonOf(unit)), Sample.LiaisonOf(unit));
        Assert.Equal(0, seen.Total);
        // Their timers and mails (and the units' notice mails) are held: no dispatcher or sender may claim them.
        var (timers, mails) = await _bed.Db.WithDbAsync(async db => (await db.Set<WorkflowTimer>().ToListAsync(), await db.Set<OutboxMessage>().ToListAsync()));
        Assert.NotEmpty(timers);
        Assert.NotEmpty(mails);
        Assert.All(timers, t => Assert.Equal(IssueStaging.HeldUntil, t.LeaseUntil));
        Assert.All(mails, m => Assert.Equal(IssueStaging.HeldUntil, m.LeaseUntil));

        _crash.HoldsBeforeCrash = int.MaxValue;
        var issued = await Notices(n => n.IssueAsync(id, Sample.Auditor));

        Assert.Equal(NoticeStatus.Issued, issued.Status);
        Assert.Null(await Notices(n => n.IssueProgressAsync(id)));
        Assert.Contains(await Notices(n => n.ListAsync(Sample.LiaisonOf(unit))), s => s.Id == id);
        await AssertWhollyIssuedAsync(inspection, count);
        Assert.Empty(await _bed.Db.WithDbAsync(db => db.Set<IssueStaging>().ToListAsync()));
        var key = id.ToString(CultureInfo.InvariantCulture);
        var actions = await _bed.Db.WithDbAsync(db => db.Set<Auditing.AuditEvent>().Where(a => a.EntityType == nameof(Notice) && a.EntityId == key)
            .OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
        Assert.Equal(["notice.issuing", "notice.issued"], actions.Where(a => a.StartsWith("notice.issu", StringComparison.Ordinal)));
    }

    /// <summary>Every finding assigned, visible, with exactly one workflow instance, its timers and its mails, none held.</summary>
    private async Task AssertWhollyIssuedAsync(int inspection, int count)
    {
        await _bed.Db.WithDbAsync(async db =>
        {
            var findings = await db.Set<Finding>().Where(f => f.InspectionId == inspection).Select(f => new { f.Id, f.Status }).ToListAsync();
            Assert.Equal(count, findings.Count);
            Assert.All(findings, f => Assert.Equal(FindingStatus.Assigned, f.Status));
            var ids = findings.Select(f => f.Id).ToList();
            var instances = await db.Set<WorkflowInstance>().Where(i => i.FindingId != null && ids.Contains(i.FindingId.Value) && i.ParentInstanceId == null)
                .Select(i => new { i.Id, i.FindingId }).ToListAsync();
            Assert.Equal(ids.Order(), instances.Select(i => i.FindingId!.Value).Order());
            var instanceIds = instances.Select(i => i.Id).ToList();
            var timed = await db.Set<WorkflowTimer>().Where(t => instanceIds.Contains(t.InstanceId)).Select(t => t.InstanceId).Distinct().CountAsync();
            Assert.Equal(count, timed);
            var mailed = await db.Set<OutboxMessage>().Where(m => m.FindingId != null && ids.Contains(m.FindingId.Value)).Select(m => m.FindingId).Distinct().CountAsync();
            Assert.Equal(count, mailed);
            Assert.Equal(0, await db.Set<WorkflowTimer>().CountAsync(t => t.LeaseUntil == IssueStaging.HeldUntil));
            Assert.Equal(0, await db.Set<OutboxMessage>().CountAsync(m => m.LeaseUntil == IssueStaging.HeldUntil));
            return 0;
        });
    }

    [Fact]
    public async Task Another_write_waits_for_one_chunk_at_most_not_for_the_whole_notice()
    {
        const int count = 1000;
        var (id, _) = await BigNoticeAsync(count, "X政公办〔2026〕10号");
        var other = await _bed.InspectionAsync("其他检查", new(2026, 2, 1), new(2026, 2, 28));
        var input = new FindingInput
        {
            InspectionId = other, UnitId = _bed.Units["科技局"], CategoryId = _bed.Categories["主动公开"],
            Description = "另一位审核人员同时录入的问题", Deadline = new DateOnly(2026, 4, 30),
        };
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var writes = new List<(TimeSpan Done, TimeSpan Took)>();
        var firstWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = clock.Elapsed;
                await _bed.WithAsync(sp => sp.GetRequiredService<FindingService>().CreateAsync(input, Sample.Auditor));
                lock (writes)
                    writes.Add((clock.Elapsed, clock.Elapsed - started));
                firstWrite.TrySetResult();
            }
        });
        await firstWrite.Task;
        var issueStarted = clock.Elapsed;
        await Notices(n => n.IssueAsync(id, Sample.Auditor));
        var issueEnded = clock.Elapsed;
        await stop.CancelAsync();
        await writer;

        var during = writes.Where(w => w.Done > issueStarted && w.Done < issueEnded).ToList();
        // Other writes went on between the chunks (a single transaction would have let none through).
        Assert.True(during.Count >= 2, $"{during.Count} writes completed while the notice was issued");
        output.WriteLine($"issue of {count} findings: {(issueEnded - issueStarted).TotalMilliseconds:F0} ms; {during.Count} other writes meanwhile, "
                         + $"longest {during.Max(w => w.Took).TotalMilliseconds:F0} ms, median {during.Select(w => w.Took).Order().ElementAt(during.Count / 2).TotalMilliseconds:F0} ms");
        Assert.Equal(NoticeStatus.Issued, (await Notices(n => n.GetAsync(id, Sample.Auditor))).Status);
    }

    [Theory]
    [InlineData(1, "its first clean-up chunk")]
    [InlineData(2, "its last clean-up transaction")]
    public async Task A_notice_stopped_in_its_clean_up_is_seen_whole_and_the_next_start_finishes_it_each_timer_and_mail_acting_once(int release, string stoppedIn)
    {
        await using var smtp = await MailDevServer.StartNewAsync();
        await _bed.DisposeAsync();
        _bed = await NoticeTestBed.CreateAsync(new Dictionary<string, string?>
        {
            ["Mail:From"] = "区政务公开办 <zwgk@rectify.test>",
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = smtp.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Mail:Smtp:Security"] = "None",
        }, services => services.AddSingleton<IStagedRows>(_crash));
        const int count = 250;
        var (id, inspection) = await BigNoticeAsync(count, "X政公办〔2026〕11号");
        // The clean-up's chunk dies as a killed process would: its transaction never commits.
        _crash.ReleasesBeforeCrash = release - 1;
        await Assert.ThrowsAsync<IOException>(() => Notices(n => n.IssueAsync(id, Sample.Auditor)));

        // Published: issued and seen whole by everyone, its staging not yet gone.
        var unit = _bed.Units["教育局"];
        Assert.Equal(NoticeStatus.Issued, (await Notices(n => n.GetAsync(id, Sample.Auditor))).Status);
        Assert.Null(await Notices(n => n.IssueProgressAsync(id)));
        Assert.Contains(await Notices(n => n.ListAsync(Sample.LiaisonOf(unit))), s => s.Id == id);
        Assert.Equal(count, await _bed.Db.WithDbAsync(db => db.Set<Finding>().CountAsync(f => f.InspectionId == inspection && f.Status == FindingStatus.Assigned)));
        var seen = await _bed.WithAsync(sp => sp.GetRequiredService<FindingService>().SearchAsync(new FindingFilter { InspectionId = inspection }, Sample.LiaisonOf(unit)), Sample.LiaisonOf(unit));
        Assert.Equal(count / 5, seen.Total);
        Assert.NotNull(await _bed.Db.WithDbAsync(db => db.Set<IssueStaging>().Where(s => s.NoticeId == id).Select(s => s.PublishedAt).SingleAsync()));

        // The next start: the recovery finishes the clean-up, and leaves the notice as issuing it in one go would.
        _crash.ReleasesBeforeCrash = int.MaxValue;
        var recovery = _bed.Db.Services.GetServices<IHostedService>().OfType<StagedIssueRecovery>().Single();
        await recovery.StartAsync(CancellationToken.None);
        await recovery.ExecuteTask!;
        await AssertWhollyIssuedAsync(inspection, count);
        Assert.Empty(await _bed.Db.WithDbAsync(db => db.Set<IssueStaging>().ToListAsync()));
        Assert.Equal(NoticeStatus.Issued, (await Notices(n => n.GetAsync(id, Sample.Auditor))).Status);

        // Each timer fires once when due (its row goes with it), each mail is delivered once.
        var timers = await _bed.Db.WithDbAsync(db => db.Set<WorkflowTimer>().Select(t => new { t.InstanceId, t.ActivityExecutionId, t.DueAt }).ToListAsync());
        var firstDue = timers.Min(t => t.DueAt);
        var due = timers.Where(t => t.DueAt == firstDue).ToList();
        _bed.Db.Clock.SetUtcNow(firstDue);
        var dispatcher = _bed.Db.Services.GetRequiredService<TimerDispatcher>();
        Assert.Equal(due.Count, await dispatcher.FireDueAsync());
        Assert.Equal(0, await dispatcher.FireDueAsync());
        var left = await _bed.Db.WithDbAsync(db => db.Set<WorkflowTimer>().Select(t => t.InstanceId + "/" + t.ActivityExecutionId).ToListAsync());
        Assert.DoesNotContain(due, t => left.Contains(t.InstanceId + "/" + t.ActivityExecutionId));
        var sender = _bed.Db.Services.GetRequiredService<MailSender>();
        var delivered = 0;
        for (var sent = -1; sent != 0;)
            delivered += sent = await sender.SendDueAsync();
        var mails = await _bed.Db.WithDbAsync(db => db.Set<OutboxMessage>().Select(m => new { m.Status, m.Attempts, m.BatchId, m.FindingId, m.NoticeId }).ToListAsync());
        Assert.All(mails, m => Assert.Equal((OutboxStatus.Sent, 1), (m.Status, m.Attempts)));
        Assert.Contains(mails, m => m.NoticeId == id);
        Assert.Equal(mails.Select(m => m.BatchId).Distinct().Count(), delivered);
        Assert.Equal(delivered, (await smtp.GetMessagesAsync()).Count);
        output.WriteLine($"stopped in {stoppedIn}; then {due.Count} timers fired once, {mails.Count} mails went out in {delivered} messages");
    }

    /// <summary>
    /// Throws in the n+1-th hold (the notice's own step holds once, then each chunk) or release (the clean-up releases
    /// once in its chunks, once in its last transaction), as a process dying there would.
    /// </summary>
    private sealed class CrashingChunk : IStagedRows
    {
        private int _holds;
        private int _releases;
        public int HoldsBeforeCrash { get; set; } = int.MaxValue;
        public int ReleasesBeforeCrash { get; set; } = int.MaxValue;

        public void Hold(RectifyDb db, string stagingId)
        {
            if (++_holds > HoldsBeforeCrash)
            {
                _holds = 0;
                throw new IOException("The process stopped here.");
            }
        }

        public Task<int> ReleaseAsync(RectifyDb db, string stagingId, int max, CancellationToken ct)
        {
            if (++_releases > ReleasesBeforeCrash)
            {
                _releases = 0;
                throw new IOException("The process stopped here.");
            }
            return Task.FromResult(0);
        }
    }
}
