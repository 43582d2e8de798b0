using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Testing;
using Rectify.Time;

namespace Rectify.Core.Tests;

/// <summary>Every legal transition of a finding, and every illegal one refused with nothing changed in the database.</summary>
public sealed class LifecycleTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private int _unitId;
    private int _otherUnitId;
    private int _categoryId;
    private int _inspectionId;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        (_unitId, _otherUnitId, _categoryId, _inspectionId) = await _db.WithDbAsync(async db =>
        {
            var (units, category, inspection) = await Sample.SeedAsync(db, "教育局", "科技局");
            return (units[0].Id, units[1].Id, category.Id, inspection.Id);
        });
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static readonly DateOnly Deadline = new(2026, 3, 13);
    private Actor Liaison => Sample.LiaisonOf(_unitId);

    /// <summary>Creates a finding and drives it to <paramref name="status"/> through the lifecycle itself.</summary>
    private async Task<int> FindingInAsync(FindingStatus status)
    {
        var id = await _db.WithDbAsync(async db =>
        {
            var f = new Finding { UnitId = _unitId, CategoryId = _categoryId, InspectionId = _inspectionId, Description = "招生计划目录本年度未更新", Deadline = Deadline };
            db.Add(f);
            await db.SaveChangesAsync();
            return f.Id;
        });
        if (status == FindingStatus.Draft)
            return id;
        await SyncAsync(id, (clock, f) => f.Assign(clock));
        if (status == FindingStatus.Assigned)
            return id;
        await SubmitAsync(id);
        if (status == FindingStatus.Submitted)
            return id;
        await ReviewAsync(id, accept: status == FindingStatus.Accepted, "证据不足，请补充");
        return id;
    }

    /// <summary>Calls one of the finding's own transitions, as a workflow step does, and saves (dispatching its events).</summary>
    private async Task SyncAsync(int id, Action<OfficeClock, Finding> change)
    {
        await using var scope = _db.Scope(Actor.Workflow);
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        var finding = await db.Set<Finding>().Include(f => f.Reports).Include(f => f.ExtensionRequests).SingleAsync(f => f.Id == id);
        change(scope.ServiceProvider.GetRequiredService<OfficeClock>(), finding);
        await db.SaveChangesAsync();
    }

    private async Task<RectificationReport> SubmitAsync(int id, Actor? actor = null)
    {
        await using var scope = _db.Scope(actor ?? Liaison);
        return await scope.ServiceProvider.GetRequiredService<FindingLifecycle>()
            .SubmitReportAsync(id, new ReportContent("已在招生计划栏目发布2026年招生计划", true, ["https://example.gov.cn/zsjh"], []), actor ?? Liaison);
    }

    private async Task ReviewAsync(int id, bool accept, string comment, Actor? actor = null)
    {
        await using var scope = _db.Scope(actor ?? Sample.Auditor);
        var reportId = await scope.ServiceProvider.GetRequiredService<RectifyDb>().Set<RectificationReport>()
            .Where(r => r.FindingId == id && r.Decision == ReviewDecision.Pending).Select(r => r.Id).FirstOrDefaultAsync();
        await scope.ServiceProvider.GetRequiredService<FindingLifecycle>().ReviewAsync(id, reportId, accept, comment, actor ?? Sample.Auditor);
    }

    private async Task<ExtensionRequest> RequestExtensionAsync(int id, DateOnly to, Actor? actor = null)
    {
        await using var scope = _db.Scope(actor ?? Liaison);
        return await scope.ServiceProvider.GetRequiredService<FindingLifecycle>().RequestExtensionAsync(id, to, "需协调教育部门数据，申请延期", actor ?? Liaison);
    }

    private async Task DecideExtensionAsync(int id, int requestId, bool approve, Actor? actor = null)
    {
        await using var scope = _db.Scope(actor ?? Sample.Auditor);
        await scope.ServiceProvider.GetRequiredService<FindingLifecycle>().DecideExtensionAsync(id, requestId, approve, "同意", actor ?? Sample.Auditor);
    }

    private Task<Finding> LoadAsync(int id) => _db.WithDbAsync(db =>
        db.Set<Finding>().AsNoTracking().Include(f => f.Reports).Include(f => f.ExtensionRequests).SingleAsync(f => f.Id == id));

    private Task<List<AuditEvent>> HistoryAsync(int id) => _db.WithDbAsync(db =>
        db.Set<AuditEvent>().Where(a => a.FindingId == id).OrderBy(a => a.Id).ToListAsync());

    /// <summary>Everything of a finding that a refused action must leave untouched.</summary>
    private async Task<string> StateAsync(int id)
    {
        var f = await LoadAsync(id);
        var audit = await _db.WithDbAsync(db => db.Set<AuditEvent>().CountAsync());
        return $"{f.Status}|{f.Deadline}|{f.IsOverdue}|{f.Version}|{f.UpdatedAt}|{f.Reports.Count}|" +
               string.Join(",", f.Reports.Select(r => $"{r.Id}:{r.Decision}")) + "|" +
               string.Join(",", f.ExtensionRequests.Select(x => $"{x.Id}:{x.Decision}")) + $"|audit={audit}";
    }

    [Fact]
    public async Task Draft_is_assigned()
    {
        var id = await FindingInAsync(FindingStatus.Draft);
        await SyncAsync(id, (clock, f) => f.Assign(clock));
        var f = await LoadAsync(id);
        Assert.Equal(FindingStatus.Assigned, f.Status);
        Assert.NotNull(f.AssignedAt);
        Assert.Contains(await HistoryAsync(id), a => a.Action == "finding.assigned" && a.ActorId == "workflow");
    }

    [Fact]
    public async Task Assigned_report_is_submitted_then_accepted()
    {
        var id = await FindingInAsync(FindingStatus.Assigned);
        var report = await SubmitAsync(id);
        Assert.Equal(FindingStatus.Submitted, (await LoadAsync(id)).Status);
        Assert.True(report.SubmittedOnTime);
        await ReviewAsync(id, accept: true, "");
        var f = await LoadAsync(id);
        Assert.Equal(FindingStatus.Accepted, f.Status);
        Assert.Equal(ReviewDecision.Accepted, f.Reports.Single().Decision);
        Assert.Equal(_db.Clock.GetUtcNow(), f.AcceptedAt);
        var actions = (await HistoryAsync(id)).Select(a => a.Action).ToList();
        Assert.Contains("finding.submitted", actions);
        Assert.Contains("finding.accepted", actions);
    }

    [Fact]
    public async Task Submitted_report_is_returned_with_a_new_deadline_and_stays_returned_until_resubmitted()
    {
        var id = await FindingInAsync(FindingStatus.Submitted);
        await ReviewAsync(id, accept: false, "链接无法打开，请补充截图");
        var returned = await LoadAsync(id);
        Assert.Equal(FindingStatus.Returned, returned.Status);
        Assert.Equal("链接无法打开，请补充截图", returned.Reports.Single().ReviewComment);
        // Returned on Mon 2026-03-02: five working days later is Mon 03-09, earlier than the deadline 03-13, which stays.
        Assert.Equal(Deadline, returned.Deadline);
        // The unit submits again straight from 退回.
        await SubmitAsync(id);
        Assert.Equal(FindingStatus.Submitted, (await LoadAsync(id)).Status);
        Assert.Contains(await HistoryAsync(id), a => a.Action == "finding.returned");
    }

    [Fact]
    public async Task Overdue_is_a_flag_beside_the_status_and_an_approved_extension_moves_the_deadline()
    {
        var id = await FindingInAsync(FindingStatus.Assigned);
        _db.Clock.Advance(TimeSpan.FromDays(14));
        await SyncAsync(id, (clock, f) => Assert.True(f.MarkOverdue(clock)));
        await SyncAsync(id, (clock, f) => Assert.False(f.MarkOverdue(clock)));
        var overdue = await LoadAsync(id);
        Assert.Equal(FindingStatus.Assigned, overdue.Status);
        Assert.True(overdue.IsOverdue);
        Assert.Single(await HistoryAsync(id), a => a.Action == "finding.overdue");

        var request = await RequestExtensionAsync(id, new DateOnly(2026, 3, 31));
        await DecideExtensionAsync(id, request.Id, approve: true);
        var extended = await LoadAsync(id);
        Assert.Equal(new DateOnly(2026, 3, 31), extended.Deadline);
        Assert.False(extended.IsOverdue);
        Assert.Equal(ExtensionDecision.Approved, extended.ExtensionRequests.Single().Decision);
        var actions = (await HistoryAsync(id)).Select(a => a.Action).ToList();
        Assert.Contains("extension.requested", actions);
        Assert.Contains("extension.approved", actions);
    }

    [Fact]
    public async Task A_denied_extension_keeps_the_deadline()
    {
        var id = await FindingInAsync(FindingStatus.Assigned);
        var request = await RequestExtensionAsync(id, new DateOnly(2026, 3, 31));
        await DecideExtensionAsync(id, request.Id, approve: false);
        var f = await LoadAsync(id);
        Assert.Equal(Deadline, f.Deadline);
        Assert.Equal(ExtensionDecision.Denied, f.ExtensionRequests.Single().Decision);
        Assert.Contains(await HistoryAsync(id), a => a.Action == "extension.denied");
    }

    [Fact]
    public async Task Follow_up_queueing_is_recorded_once()
    {
        var id = await FindingInAsync(FindingStatus.Assigned);
        await SyncAsync(id, (clock, f) => f.QueueForFollowUp(clock));
        await SyncAsync(id, (clock, f) => f.QueueForFollowUp(clock));
        Assert.True((await LoadAsync(id)).QueuedForFollowUp);
        Assert.Single(await HistoryAsync(id), a => a.Action == "finding.queued_for_follow_up");
    }

    public static TheoryData<FindingStatus, string> IllegalTransitions() => new()
    {
        { FindingStatus.Draft, "submit" }, { FindingStatus.Draft, "accept" }, { FindingStatus.Draft, "return" },
        { FindingStatus.Draft, "overdue" }, { FindingStatus.Draft, "extension" },
        { FindingStatus.Assigned, "assign" }, { FindingStatus.Assigned, "accept" }, { FindingStatus.Assigned, "return" },
        { FindingStatus.Submitted, "assign" }, { FindingStatus.Submitted, "submit" },
        { FindingStatus.Submitted, "extension" },
        { FindingStatus.Returned, "assign" }, { FindingStatus.Returned, "accept" },
        { FindingStatus.Returned, "return" },
        { FindingStatus.Accepted, "assign" }, { FindingStatus.Accepted, "submit" }, { FindingStatus.Accepted, "accept" },
        { FindingStatus.Accepted, "return" }, { FindingStatus.Accepted, "overdue" },
        { FindingStatus.Accepted, "extension" },
    };

    [Theory]
    [MemberData(nameof(IllegalTransitions))]
    public async Task Illegal_transition_is_refused_and_changes_nothing(FindingStatus from, string action)
    {
        var id = await FindingInAsync(from);
        var before = await StateAsync(id);
        var error = await Assert.ThrowsAsync<RectifyException>(() => action switch
        {
            "assign" => SyncAsync(id, (clock, f) => f.Assign(clock)),
            "overdue" => SyncAsync(id, (clock, f) => f.MarkOverdue(clock)),
            "submit" => SubmitAsync(id),
            "accept" => ReviewWithAnyReportAsync(id, accept: true),
            "return" => ReviewWithAnyReportAsync(id, accept: false),
            "extension" => RequestExtensionAsync(id, new DateOnly(2026, 4, 1)),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        });
        Assert.True(error.Code is "finding.illegal_transition" or "report.not_found", error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Equal(before, await StateAsync(id));
    }

    /// <summary>Reviews the finding's latest report (whatever its decision), or a report id that does not exist.</summary>
    private async Task ReviewWithAnyReportAsync(int id, bool accept)
    {
        await using var scope = _db.Scope(Sample.Auditor);
        var reportId = await scope.ServiceProvider.GetRequiredService<RectifyDb>().Set<RectificationReport>()
            .Where(r => r.FindingId == id).OrderByDescending(r => r.Id).Select(r => r.Id).FirstOrDefaultAsync();
        await scope.ServiceProvider.GetRequiredService<FindingLifecycle>().ReviewAsync(id, reportId, accept, "退回意见", Sample.Auditor);
    }

    [Fact]
    public async Task Refused_user_actions_change_nothing()
    {
        var submitted = await FindingInAsync(FindingStatus.Submitted);
        var before = await StateAsync(submitted);
        // A liaison cannot review; an auditor cannot return without a comment; another unit's liaison gets 404.
        Assert.Equal(RectifyErrorKind.Forbidden, (await Assert.ThrowsAsync<RectifyException>(() => ReviewAsync(submitted, true, "", Liaison))).Kind);
        Assert.Equal("report.return_comment_required", (await Assert.ThrowsAsync<RectifyException>(() => ReviewAsync(submitted, false, " "))).Code);
        Assert.Equal(RectifyErrorKind.NotFound, (await Assert.ThrowsAsync<RectifyException>(() => SubmitAsync(submitted, Sample.LiaisonOf(_otherUnitId)))).Kind);
        // Nobody reviews a report of their own unit.
        var ownUnitAuditor = Sample.Auditor with { UnitId = _unitId };
        Assert.Equal("report.review_own_unit", (await Assert.ThrowsAsync<RectifyException>(() => ReviewAsync(submitted, true, "", ownUnitAuditor))).Code);
        Assert.Equal(before, await StateAsync(submitted));

        var assigned = await FindingInAsync(FindingStatus.Assigned);
        before = await StateAsync(assigned);
        Assert.Equal("report.measures_required", (await Assert.ThrowsAsync<RectifyException>(async () =>
        {
            await using var scope = _db.Scope(Liaison);
            await scope.ServiceProvider.GetRequiredService<FindingLifecycle>().SubmitReportAsync(assigned, new ReportContent(" ", true, [], []), Liaison);
        })).Code);
        Assert.Equal("extension.date_not_later", (await Assert.ThrowsAsync<RectifyException>(() => RequestExtensionAsync(assigned, Deadline))).Code);
        Assert.Equal(RectifyErrorKind.Forbidden, (await Assert.ThrowsAsync<RectifyException>(() => RequestExtensionAsync(assigned, new DateOnly(2026, 4, 1), Sample.Auditor))).Kind);
        Assert.Equal(before, await StateAsync(assigned));

        var request = await RequestExtensionAsync(assigned, new DateOnly(2026, 4, 1));
        before = await StateAsync(assigned);
        Assert.Equal("extension.already_pending", (await Assert.ThrowsAsync<RectifyException>(() => RequestExtensionAsync(assigned, new DateOnly(2026, 4, 2)))).Code);
        Assert.Equal(RectifyErrorKind.Forbidden, (await Assert.ThrowsAsync<RectifyException>(() => DecideExtensionAsync(assigned, request.Id, true, Liaison))).Kind);
        Assert.Equal(before, await StateAsync(assigned));
        await DecideExtensionAsync(assigned, request.Id, approve: true);
        before = await StateAsync(assigned);
        Assert.Equal("extension.already_decided", (await Assert.ThrowsAsync<RectifyException>(() => DecideExtensionAsync(assigned, request.Id, false))).Code);
        Assert.Equal(before, await StateAsync(assigned));
    }
}
