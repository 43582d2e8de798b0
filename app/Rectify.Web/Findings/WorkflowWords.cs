using System.Globalization;
using Rectify.Findings;
using Rectify.Workflows;
using Rectify.Workflows.Runtime;
using static Rectify.Web.Localization.Lang;

namespace Rectify.Web.Findings;

/// <summary>
/// The workflow card in words: where the finding stands (from the finding itself, which the workflow keeps current,
/// not from the activities that happen to hold a bookmark — a reminder timer or the extension handler waits all the
/// time without being "the step"), the workflow by name and version, and what each timer ahead will do.
/// </summary>
public static class WorkflowWords
{
    /// <summary>e.g. 等待整改报告，期限12月10日; 等待审核整改报告（12月8日 10:12提交）; 已整改销号（12月9日 15:00）.</summary>
    public static string Position(FindingDetail detail, Func<DateTimeOffset, string> when)
    {
        var f = detail.Finding;
        var deadline = Day(f.Deadline);
        var position = f.Status switch
        {
            FindingStatus.Draft => T("草稿，尚未下发", "Draft, not issued yet"),
            FindingStatus.Assigned => T($"等待整改报告，期限{deadline}", $"Awaiting the rectification report, due {deadline}"),
            FindingStatus.Returned => T($"报告已退回，等待重新提交，期限{deadline}", $"Report returned, awaiting a new one, due {deadline}"),
            FindingStatus.Submitted => detail.PendingReport is { } r
                ? T($"等待审核整改报告（{when(r.SubmittedAt)}提交）", $"Awaiting review of the report (submitted {when(r.SubmittedAt)})")
                : T("等待审核整改报告", "Awaiting review of the report"),
            FindingStatus.Accepted => f.AcceptedAt is { } at ? T($"已整改销号（{when(at)}）", $"Rectified and closed ({when(at)})") : T("已整改销号", "Rectified and closed"),
            _ => f.Status.ToString(),
        };
        if (f.IsOverdue && f.IsOpen)
            position += T("，已逾期", ", overdue");
        if (detail.PendingExtension is { } x)
            position += T($"；延期申请待审批（申请延至{Day(x.RequestedDeadline)}）", $"; extension to {Day(x.RequestedDeadline)} awaits a decision");
        return position;
    }

    /// <summary>The definition's name and version in words, and how the run stands: 问题整改（默认流程）· 第1版 · 进行中.</summary>
    public static string Run(FindingWorkflowTimeline wf) =>
        $"{wf.DefinitionName} · {T($"第{wf.DefinitionVersion}版", $"version {wf.DefinitionVersion}")} · " +
        (wf.Status == WorkflowStatus.Finished ? T("已结束", "finished")
            : wf.SubStatus == WorkflowSubStatus.Faulted ? T("出错", "faulted")
            : T("进行中", "running"));

    /// <summary>What a timer ahead does: the deadline of a wait for the report escalates; the others are the designer's reminders.</summary>
    public static string Timer(FindingWorkflowTimeline wf, TimelineTimer timer)
    {
        // Reminder waits listen for the report too (to be skipped), so the activity's type tells the deadline's timer.
        if (wf.Current.Any(s => s.ActivityId == timer.ActivityId && s.ActivityType == WaitForReportType))
            return T("期限届满：未提交整改报告即逾期督办", "Deadline: overdue and escalated if no report has come");
        var name = IsEnglish ? timer.DisplayNameEn : timer.DisplayName;
        return T($"催办：{name}", $"Reminder: {name}");
    }

    private const string WaitForReportType = "Rectify.WaitForReport";

    public static string Day(DateOnly date) =>
        IsEnglish ? date.ToString("d MMM", CultureInfo.InvariantCulture) : $"{date.Month}月{date.Day}日";
}
