using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Testing;
using Rectify.Time;

namespace Rectify.Core.Tests;

/// <summary>The finding's own transitions, without a database: a refused one throws its code before anything changes.</summary>
public sealed class FindingRulesTests
{
    private static readonly OfficeClock Clock = new(new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero)), Options.Create(new OfficeOptions()));

    private static Finding Assigned()
    {
        var finding = new Finding { Id = 7, UnitId = 1, Description = "招生计划目录本年度未更新", Deadline = new DateOnly(2026, 3, 13) };
        finding.Assign(Clock);
        return finding;
    }

    [Fact]
    public void Accepting_a_report_that_was_never_submitted_is_refused_by_the_finding_before_anything_changes()
    {
        var finding = Assigned();
        var events = finding.PendingEvents().Count;
        var version = finding.Version;
        var report = new RectificationReport { Measures = "已整改" };

        var error = Assert.Throws<RectifyException>(() => finding.Accept(report, "整改到位", Sample.Auditor, Clock));

        Assert.Equal("finding.illegal_transition", error.Code);
        Assert.Equal(FindingStatus.Assigned, finding.Status);
        Assert.Null(finding.AcceptedAt);
        Assert.Equal(ReviewDecision.Pending, report.Decision);
        Assert.Equal(version, finding.Version);
        Assert.Equal(events, finding.PendingEvents().Count);
    }

    [Fact]
    public void Each_transition_records_its_event_with_the_step_s_audit_action()
    {
        var finding = Assigned();
        var report = finding.SubmitReport(new ReportContent("已更新栏目", true, [], []), Sample.LiaisonOf(1), Clock);
        finding.Return(report, "佐证不足", new DateOnly(2026, 3, 20), Sample.Auditor, Clock);

        Assert.Equal(
            [("FindingAssigned", "finding.assigned"), ("ReportSubmitted", "finding.submitted"), ("DeadlineChanged", null), ("ReportReviewed", "finding.returned")],
            finding.PendingEvents().Select(e => (e.Name, e.Action)));
        Assert.Equal(FindingStatus.Returned, finding.Status);
        Assert.Equal(new DateOnly(2026, 3, 20), finding.Deadline);
        Assert.Equal("退回整改：佐证不足", finding.DeadlineReason);
    }
}
