using System.Globalization;
using Microsoft.AspNetCore.Html;
using Rectify.Common;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Reports;
using Rectify.Time;
using Rectify.Units;
using Rectify.Users;
using static Rectify.Web.Localization.Lang;

namespace Rectify.Web.Pages.Shared;

/// <summary>How the pages name and show domain values, in both languages.</summary>
public static class Display
{
    public static string Text(this FindingStatus status) => Current(status.Label());

    public static string Text(this Rectify.Captures.LinkOutcome outcome) => outcome switch
    {
        Rectify.Captures.LinkOutcome.Pending => T("待抓取", "Queued"),
        Rectify.Captures.LinkOutcome.Captured => T("已存档", "Captured"),
        Rectify.Captures.LinkOutcome.Kept => T("内容保持", "Kept"),
        Rectify.Captures.LinkOutcome.Changed => T("内容已变化", "Changed"),
        Rectify.Captures.LinkOutcome.Gone => T("页面已失效", "Gone"),
        Rectify.Captures.LinkOutcome.Refused => T("已拒绝抓取", "Refused"),
        _ => T("抓取失败", "Failed"),
    };

    /// <summary>A fetch's outcome as a badge: green when the page is there as captured, red when it is not.</summary>
    public static IHtmlContent Badge(Rectify.Captures.LinkOutcome outcome) =>
        new HtmlString($"<span class=\"badge cap-{outcome}\">{Enc(outcome.Text())}</span>");

    /// <summary>The status badge, with the overdue flag beside it (never instead of it).</summary>
    public static IHtmlContent Badge(FindingStatus status, bool overdue = false)
    {
        var html = $"<span class=\"badge st-{status}\">{Enc(status.Text())}</span>";
        if (overdue)
            html += $" <span class=\"badge flag-overdue\">{Enc(Current(Labels.Overdue))}</span>";
        return new HtmlString(html);
    }

    public static string Text(this Severity severity) => Current(severity.Label());

    public static string Text(this InspectionKind kind) => kind switch
    {
        InspectionKind.MonthlyNotice => T("月度通报", "Monthly notice"),
        InspectionKind.HalfYearAssessment => T("半年考核", "Half-year assessment"),
        InspectionKind.ThirdPartyCheck => T("第三方检查", "Third-party check"),
        InspectionKind.SpecialInspection => T("专项检查", "Special inspection"),
        _ => kind.ToString(),
    };

    public static string Text(this UnitKind kind) => kind switch
    {
        UnitKind.Department => T("部门", "Department"),
        UnitKind.District => T("区县", "District/county"),
        UnitKind.Township => T("乡镇街道", "Township/street"),
        _ => T("其他", "Other"),
    };

    public static string Text(this UserRole role) => role switch
    {
        UserRole.Auditor => T("审核人员", "Auditor"),
        UserRole.UnitLiaison => T("单位联络人", "Unit liaison"),
        UserRole.Supervisor => T("主管", "Supervisor"),
        _ => role.ToString(),
    };

    public static string Text(this ReviewDecision decision) => Current(decision.Label());

    public static string Text(this ExtensionDecision decision) => Current(decision.Label());

    public static string Text(this Rectify.Notices.NoticeStatus status) => Current(Rectify.Notices.NoticeLabels.Label(status));

    /// <summary>What a report says of itself: 全部整改 or 部分整改.</summary>
    public static string Completeness(bool fullyRectified) => Current(Labels.Completeness(fullyRectified));

    /// <summary>A label from the one table (<see cref="Labels"/>) in the request's language.</summary>
    public static string Current(Label label) => T(label.Zh, label.En);

    /// <summary>The time left in working days (<see cref="RemainingTime"/>): 剩余3个工作日（12月10日）, with a class for the colour.</summary>
    public static IHtmlContent Remaining(RemainingTime remaining, bool open = true)
    {
        if (!open)
            return HtmlString.Empty;
        var css = remaining.WorkingDays switch
        {
            < 0 => "days-late",
            <= 3 => "days-soon",
            _ => "",
        };
        return new HtmlString($"<span class=\"{css}\">{Enc(T(remaining.Chinese, remaining.English))}</span>");
    }

    /// <summary>A workflow step's outcome (Done, Accepted …) as the office says it.</summary>
    public static string Outcome(string outcome) => outcome switch
    {
        "Done" => T("完成", "Done"),
        "Skipped" => T("跳过", "Skipped"),
        "Submitted" => FindingStatus.Submitted.Text(),
        "Accepted" => ReviewDecision.Accepted.Text(),
        "Returned" => ReviewDecision.Returned.Text(),
        "Withdrawn" => ReviewDecision.Withdrawn.Text(),
        "Approved" => ExtensionDecision.Approved.Text(),
        "Denied" => ExtensionDecision.Denied.Text(),
        "Overdue" => Current(Labels.Overdue),
        "True" => T("是", "Yes"),
        "False" => T("否", "No"),
        _ => outcome,
    };

    /// <summary>An office-local instant as people say it: 12月8日 10:12.</summary>
    public static string DayTime(DateTimeOffset local) =>
        IsEnglish ? local.ToString("d MMM HH:mm", CultureInfo.InvariantCulture) : $"{local.Month}月{local.Day}日 {local:HH:mm}";

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes / 1024.0 / 1024.0:0.#} MB",
    };

    /// <summary>A refused action's message for the person who tried it (Chinese unless the page is English).</summary>
    public static string Message(this RectifyException e) => e.MessageFor(CultureInfo.CurrentUICulture);

    private static string Enc(string s) => System.Net.WebUtility.HtmlEncode(s);
}
