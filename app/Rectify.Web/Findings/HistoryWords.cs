using System.Globalization;
using System.Text.Json;
using Rectify.Auditing;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Time;
using Rectify.Web.Pages.Shared;
using static Rectify.Web.Localization.Lang;

namespace Rectify.Web.Findings;

/// <summary>
/// One entry of a finding's history as people read it: who (by name), when (office time), what was done with its
/// comment or reason — "张审核 12月8日 10:12 退回整改报告：……" — and the field changes as "整改期限：12月14日 → 12月10日".
/// </summary>
public sealed record HistoryEntry(DateTimeOffset At, string Who, string When, string Action, string Detail, IReadOnlyList<string> Changes,
    IReadOnlyList<AuditEvent> Raw)
{
    public string Headline => $"{Who} {When} {Action}{(Detail.Length > 0 ? T("：", ": ") + Detail : "")}";
}

/// <summary>
/// Turns the audit events of a finding (the raw JSON of every changed column) into <see cref="HistoryEntry"/>s:
/// the fields people care about with their labels and values in words, bookkeeping columns (version, timestamps,
/// ids) left out. Unit and category ids are named.
/// </summary>
public sealed class HistoryWords(OfficeClock clock, IReadOnlyDictionary<int, string> units, IReadOnlyDictionary<int, string> categories)
{
    /// <summary>Names the units and categories the history mentions (inactive ones too), whoever reads it.</summary>
    public static async Task<HistoryWords> CreateAsync(OfficeClock clock, FindingService findings, IReadOnlyList<AuditEvent> history, CancellationToken ct)
    {
        var names = await findings.NamesInHistoryAsync(history, ct);
        return new HistoryWords(clock, names.Units, names.Categories.ToDictionary(c => c.Key, c => Display.Current(c.Value)));
    }

    /// <summary>The events of one save (same instant, action and person) make one entry, oldest first.</summary>
    public IReadOnlyList<HistoryEntry> Describe(IEnumerable<AuditEvent> history) =>
        history.GroupBy(h => (h.At, h.Action, h.ActorName)).Select(g => Entry(g.Key.At, g.Key.Action, g.Key.ActorName, g.ToList())).ToList();


    private HistoryEntry Entry(DateTimeOffset at, string action, string actor, List<AuditEvent> events)
    {
        var changes = new List<string>();
        var details = new List<string>();
        foreach (var e in events)
        {
            var before = Read(e.Before);
            var after = Read(e.After);
            switch (e.EntityType)
            {
                case nameof(Finding) when before.Count > 0:
                    changes.AddRange(FindingFields.Where(f => after.ContainsKey(f.Name))
                        .Select(f => $"{f.Label()}{T("：", ": ")}{Value(f.Name, before.GetValueOrDefault(f.Name))} → {Value(f.Name, after[f.Name])}"));
                    // A return or an extension says why through its report or request; an edit only through this reason.
                    if (action == "finding.deadline_changed" && Text(after, nameof(Finding.DeadlineReason)) is { } reason)
                        details.Add(reason);
                    break;
                case nameof(RectificationReport):
                    if (Text(after, nameof(RectificationReport.ReviewComment)) is { } comment)
                        details.Add(comment);
                    if (before.Count == 0 && Text(after, nameof(RectificationReport.Measures)) is { } measures)
                        changes.Add($"{T("整改措施", "Measures")}{T("：", ": ")}{measures}");
                    break;
                case nameof(ExtensionRequest):
                    if (before.Count == 0)
                    {
                        changes.Add($"{T("申请延期至", "Asked until")} {Value(nameof(ExtensionRequest.RequestedDeadline), after.GetValueOrDefault(nameof(ExtensionRequest.RequestedDeadline)))}");
                        if (Text(after, nameof(ExtensionRequest.Reason)) is { } why)
                            details.Add(why);
                    }
                    else if (Text(after, nameof(ExtensionRequest.DecisionComment)) is { } decisionComment)
                        details.Add(decisionComment);
                    break;
                case nameof(EvidenceFile) when before.Count == 0 && Text(after, nameof(EvidenceFile.FileName)) is { } file:
                    changes.Add($"{T("佐证材料", "Evidence")}{T("：", ": ")}{file}");
                    break;
            }
        }
        return new HistoryEntry(at, actor, Display.DayTime(clock.ToLocal(at)), ActionText(action), string.Join(T("；", "; "), details.Distinct()), changes, events);
    }

    private sealed record Field(string Name, string Zh, string En)
    {
        public string Label() => T(Zh, En);
    }

    // The finding's columns people read, in the order of the finding page; the rest is bookkeeping.
    private static readonly Field[] FindingFields =
    [
        new(nameof(Finding.UnitId), "责任单位", "Unit"),
        new(nameof(Finding.CategoryId), "问题类别", "Category"),
        new(nameof(Finding.Location), "栏目或网址", "Location"),
        new(nameof(Finding.Description), "问题描述", "Problem"),
        new(nameof(Finding.Requirement), "整改要求", "Requirement"),
        new(nameof(Finding.Severity), "严重程度", "Severity"),
        new(nameof(Finding.Deadline), "整改期限", "Deadline"),
        new(nameof(Finding.DeadlineWorkingDays), "整改期限（工作日）", "Deadline (working days)"),
        new(nameof(Finding.Status), "状态", "Status"),
        new(nameof(Finding.IsOverdue), "逾期", "Overdue"),
        new(nameof(Finding.QueuedForFollowUp), "列入回头看", "Follow-up"),
    ];

    private string Value(string field, JsonElement? value)
    {
        if (value is not { } v || v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return T("（无）", "(none)");
        return field switch
        {
            nameof(Finding.UnitId) when v.TryGetInt32(out var id) => units.GetValueOrDefault(id, $"#{id}"),
            nameof(Finding.CategoryId) when v.TryGetInt32(out var id) => categories.GetValueOrDefault(id, $"#{id}"),
            nameof(Finding.Severity) when Enum.TryParse<Severity>(v.GetString(), out var s) => s.Text(),
            nameof(Finding.Status) when Enum.TryParse<FindingStatus>(v.GetString(), out var s) => s.Text(),
            nameof(Finding.Deadline) or nameof(ExtensionRequest.RequestedDeadline) when DateOnly.TryParse(v.GetString(), CultureInfo.InvariantCulture, out var d) =>
                WorkflowWords.Day(d),
            nameof(Finding.DeadlineWorkingDays) => T($"{v}个工作日", $"{v} working days"),
            _ when v.ValueKind is JsonValueKind.True => T("是", "yes"),
            _ when v.ValueKind is JsonValueKind.False => T("否", "no"),
            _ when v.ValueKind is JsonValueKind.String => v.GetString() is { Length: > 0 } text ? text : T("（空）", "(empty)"),
            _ => v.ToString(),
        };
    }

    private static string? Text(Dictionary<string, JsonElement> side, string name) =>
        side.GetValueOrDefault(name) is { ValueKind: JsonValueKind.String } v && v.GetString() is { Length: > 0 } s ? s : null;

    private static Dictionary<string, JsonElement> Read(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? [];

    /// <summary>What an audit action code means.</summary>
    public static string ActionText(string action) => action switch
    {
        "finding.created" => T("登记问题", "recorded the finding"),
        "finding.edited" => T("修改问题", "edited the finding"),
        "finding.imported" => T("导入问题", "imported the finding"),
        "finding.assigned" => T("下发至责任单位", "issued it to the unit"),
        "finding.deadline_changed" => T("调整整改期限", "moved the deadline"),
        "finding.submitted" => T("提交整改报告", "submitted a report"),
        "finding.accepted" => T("审核通过整改报告", "accepted the report"),
        "finding.returned" => T("退回整改报告", "returned the report"),
        "finding.reminded" => T("催办", "sent a reminder"),
        "finding.overdue" => T("标记逾期", "marked it overdue"),
        "finding.escalated" => T("逾期督办（标记逾期，列入回头看）", "escalated it (overdue, queued for follow-up)"),
        "finding.queued_for_follow_up" => T("列入回头看", "queued it for follow-up"),
        "extension.requested" => T("申请延期", "asked for an extension"),
        "extension.approved" => T("批准延期", "approved the extension"),
        "extension.denied" => T("驳回延期申请", "denied the extension"),
        "linkCapture.added" => T("起草通报：待复查整改链接", "queued a cited page for re-check"),
        "link.captured" => T("整改链接已存档", "captured the cited page"),
        "link.capture_failed" => T("整改链接抓取未成功", "could not capture the cited page"),
        "link.recheck_kept" => T("复查整改链接：内容保持", "re-checked the cited page: kept"),
        "link.recheck_rebound" => T("复查整改链接：页面失效或内容变化", "re-checked the cited page: gone or changed"),
        "link.recheck_failed" => T("复查整改链接未成功", "could not re-check the cited page"),
        "finding.rebound_queued" => T("列入回头看（整改反弹）", "queued it for follow-up (rebound)"),
        "finding.report_withdrawn" => T("撤回整改报告", "withdrew the report"),
        "comment.added" => T("留言", "commented"),
        _ => action,
    };
}
