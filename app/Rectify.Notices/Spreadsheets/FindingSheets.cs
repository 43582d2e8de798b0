using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Common;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Time;
using Rectify.Reports;

namespace Rectify.Notices.Spreadsheets;

/// <summary>The spreadsheets of the office: the ledger (台账), a notice's completion table and the import template.</summary>
public sealed class FindingSheets(RectifyDb db, NoticeService notices, OfficeClock clock)
{
    /// <summary>The ledger of the findings the actor may see, optionally of one inspection or one notice's inspections.</summary>
    public async Task<byte[]> LedgerAsync(Actor actor, int? inspectionId = null, int? noticeId = null, CancellationToken ct = default)
    {
        var query = db.Set<Finding>().AsNoTracking().VisibleTo(actor);
        if (inspectionId is { } i)
            query = query.Where(f => f.InspectionId == i);
        if (noticeId is { } n)
        {
            var notice = await notices.GetAsync(n, actor, ct);
            var ids = notice.Inspections.Select(x => x.InspectionId).ToList();
            query = query.Where(f => ids.Contains(f.InspectionId));
        }
        return await LedgerAsync(query, ct);
    }

    /// <summary>The ledger of exactly the rows the finding list shows for <paramref name="filter"/> (every page).</summary>
    public Task<byte[]> LedgerAsync(Actor actor, FindingFilter filter, CancellationToken ct = default) =>
        LedgerAsync(FindingService.Filtered(db.Set<Finding>().AsNoTracking(), filter, actor), ct);

    private async Task<byte[]> LedgerAsync(IQueryable<Finding> query, CancellationToken ct)
    {
        var rows = await query.OrderBy(f => f.Unit!.SortOrder).ThenBy(f => f.UnitId).ThenBy(f => f.Id)
            .Select(f => new
            {
                f.Id,
                Unit = f.Unit!.Name,
                Category = f.Category!.Name,
                f.Location,
                f.Description,
                f.Requirement,
                f.Deadline,
                f.Status,
                f.IsOverdue,
                Inspection = f.Inspection!.Title,
                f.AssignedAt,
                LastReport = f.Reports.Where(r => r.Decision != ReviewDecision.Withdrawn).OrderByDescending(r => r.SubmittedAt).Select(r => (DateTimeOffset?)r.SubmittedAt).FirstOrDefault(),
                OnTime = f.Reports.Any(r => r.Decision != ReviewDecision.Withdrawn && r.SubmittedOnTime),
                f.AcceptedAt,
            }).ToListAsync(ct);
        // The finding's number (问题编号) is the one the pages and mails show; times are the office's local times.
        return Xlsx.Write(new XlsxSheet("整改台账",
            ["序号", "问题编号", FindingColumns.Unit, FindingColumns.Category, FindingColumns.Location, FindingColumns.Description,
                FindingColumns.Requirement, "整改期限", "状态", "是否逾期", "所属检查", "交办时间", "最近报告提交时间", "报告是否按时", "整改完成时间"],
            rows.Select((r, index) => (IReadOnlyList<object?>)
            [
                index + 1, r.Id, r.Unit, r.Category, r.Location, r.Description, r.Requirement, r.Deadline, r.Status.Label().Zh,
                r.IsOverdue ? "是" : "否", r.Inspection, Local(r.AssignedAt), Local(r.LastReport), r.LastReport is null ? "" : r.OnTime ? "是" : "否", Local(r.AcceptedAt),
            ])));
    }

    private DateTime? Local(DateTimeOffset? instant) => instant is { } t ? clock.ToLocal(t).DateTime : null;

    /// <summary>The notice's completion table (frozen figures once issued).</summary>
    public async Task<byte[]> CompletionAsync(int noticeId, Actor actor, CancellationToken ct = default)
    {
        var content = await notices.ContentAsync(noticeId, actor, ct);
        var total = content.CompletionTotal;
        var rows = content.Completion.Select(r => (IReadOnlyList<object?>)[r.Index, r.UnitName, r.Findings, r.Accepted, r.AcceptedOnTime, r.Overdue, r.Rate, r.OnTimeRate])
            .Append([null, "合计", total.Findings, total.Accepted, total.AcceptedOnTime, total.Overdue, total.Rate, total.OnTimeRate]);
        return Xlsx.Write(new XlsxSheet("整改完成情况",
            ["序号", "单位", "到期问题数", "已整改", "按时整改", "逾期未整改", "整改完成率（%）", "按时整改率（%）"], rows));
    }

    /// <summary>The import template: the columns to fill, and a sheet explaining them.</summary>
    public static byte[] ImportTemplate() => Xlsx.Write(
        new XlsxSheet("检查发现问题", FindingColumns.Import, [], [16, 12, 30, 40, 30, 16]),
        new XlsxSheet("填写说明", ["列", "说明"],
        [
            [FindingColumns.Unit, "必填。单位全称或在“单位管理”中登记的别名，例如：教育局。"],
            [FindingColumns.Category, "必填。问题类别目录中的名称，例如：主动公开、政策解读、政务新媒体。"],
            [FindingColumns.Location, "选填。问题所在栏目路径或网址。"],
            [FindingColumns.Description, "必填。问题的具体情况。"],
            [FindingColumns.Requirement, "选填。整改要求。"],
            [FindingColumns.Deadline, "必填。整改截止日期（如 2026-03-20），或工作日数（如 10、5个工作日），下发时自下发次日起算，按法定节假日及调休计算。"],
            ["", "请只填写第一个工作表；任何一处错误都会使整个文件不被导入，并列出全部错误所在的行和列。"],
        ], [24, 80]));
}
