using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Common;
using Rectify.Data;
using Rectify.Mail;
using Rectify.Reports;

namespace Rectify.Findings;

/// <summary>What a bulk action did to one finding: done, or refused with the code and message of the refusal.</summary>
public sealed record BulkRowResult(int FindingId, bool Done, string? Code, string Message, string MessageEn);

/// <summary>A bulk action's answer: one line per selected finding, in the order selected.</summary>
public sealed record BulkResult(IReadOnlyList<BulkRowResult> Rows)
{
    public int DoneCount => Rows.Count(r => r.Done);
    public int RefusedCount => Rows.Count(r => !r.Done);
}

/// <summary>
/// An auditor's work on many findings at once (the ledger's selection). Each finding is its own transaction, through
/// the very path a single action takes (<see cref="FindingLifecycle"/>, so <see cref="FindingDeadline"/> for every
/// deadline): one finding that cannot be changed — reviewed meanwhile, no longer open — is refused with its reason
/// and the others still go through; the answer says per finding what was done and what was refused and why. Input
/// that is wrong for every finding (a return without a comment, a move without a reason) refuses the whole request
/// before anything changes.
/// </summary>
public sealed class FindingBulk(RectifyDb db, FindingLifecycle lifecycle, FindingDeadline deadlines, IMailOutbox mail)
{
    /// <summary>At most this many findings per request ("all on this filter" included).</summary>
    public const int MaxFindings = 500;

    public const string ReminderTemplate = "reminder";

    /// <summary>Accepts, or returns with one comment, the pending report of each finding.</summary>
    public async Task<BulkResult> ReviewAsync(IReadOnlyCollection<int> findingIds, bool accept, string comment, Actor actor, CancellationToken ct = default)
    {
        var ids = Checked(findingIds, actor);
        if (!accept && string.IsNullOrWhiteSpace(comment))
            throw RectifyException.Invalid("report.return_comment_required", "退回时请填写退回意见。", "A return needs a comment.");
        TextLimits.Check<RectificationReport>(nameof(RectificationReport.ReviewComment), comment);
        var pending = await db.Set<RectificationReport>().AsNoTracking()
            .Where(r => ids.Contains(r.FindingId) && r.Decision == ReviewDecision.Pending)
            .Select(r => new { r.FindingId, r.Id }).ToDictionaryAsync(r => r.FindingId, r => r.Id, ct);
        return await EachAsync(ids, async id =>
        {
            if (!pending.TryGetValue(id, out var reportId))
                throw new RectifyException("report.none_pending", "没有待审核的整改报告。", "No report awaits review.");
            await lifecycle.ReviewAsync(id, reportId, accept, comment, actor, ct: ct);
        }, ct);
    }

    /// <summary>Moves each finding's deadline to <paramref name="deadline"/> with the reason, as an edit would.</summary>
    public async Task<BulkResult> MoveDeadlinesAsync(IReadOnlyCollection<int> findingIds, DateOnly? deadline, string reason, Actor actor, CancellationToken ct = default)
    {
        var ids = Checked(findingIds, actor);
        if (deadline is not { } date)
            throw RectifyException.Invalid("finding.deadline_required", "请填写新的整改期限。", "Set the new deadline.");
        if (date < deadlines.Today)
            throw RectifyException.Invalid("finding.deadline_past", $"整改期限 {date:yyyy-MM-dd} 早于今天，请改为今天或以后的日期。", $"The deadline {date:yyyy-MM-dd} is before today.");
        if (string.IsNullOrWhiteSpace(reason))
            throw RectifyException.Invalid("finding.deadline_reason_required", "调整整改期限时，请填写调整理由。", "Give a reason for moving the deadlines.");
        TextLimits.Check<Finding>(nameof(Finding.DeadlineReason), reason);
        return await EachAsync(ids, async id =>
        {
            var finding = await lifecycle.ChangeDeadlineAsync(id, date, reason, actor, ct);
            if (finding.Deadline != date)
                throw new RectifyException("finding.deadline_unchanged", "整改期限未变化。", "The deadline is unchanged.");
        }, ct);
    }

    /// <summary>
    /// 一键催办: a reminder about each open finding to its unit's liaison, now. All are queued in one transaction at
    /// one instant, so the sender's digest makes them one mail per unit; a finding reminded this way today already is
    /// refused rather than mailed twice.
    /// </summary>
    public async Task<BulkResult> RemindAsync(IReadOnlyCollection<int> findingIds, Actor actor, CancellationToken ct = default)
    {
        var ids = Checked(findingIds, actor);
        var findings = await db.Set<Finding>().AsNoTracking().Where(f => ids.Contains(f.Id))
            .Select(f => new { f.Id, f.Status }).ToDictionaryAsync(f => f.Id, f => f.Status, ct);
        var keys = ids.ToDictionary(id => id, id => $"remind-now:{id}:{deadlines.Today:yyyyMMdd}");
        var keyList = keys.Values.ToList();
        var sent = await mail.QueuedAsync(keyList, ct);
        var rows = new List<BulkRowResult>();
        try
        {
            foreach (var id in ids)
            {
                if (!findings.TryGetValue(id, out var status))
                    rows.Add(Refused(id, RectifyException.NotFound("finding")));
                else if (status is not (FindingStatus.Assigned or FindingStatus.Returned))
                    rows.Add(Refused(id, new RectifyException("finding.not_open_for_reminder",
                        $"当前状态为“{status.Label().Zh}”，无需催办。", $"The finding is {status}; there is nothing to remind of.")));
                else if (sent.Contains(keys[id]))
                    rows.Add(Refused(id, new RectifyException("finding.reminded_today", "今天已催办过，不再重复发送。", "Already reminded today; not sent again.")));
                else
                {
                    await mail.EnqueueAsync(new MailRequest(ReminderTemplate, [new MailRecipient(RecipientKind.Liaison)], keys[id], id), ct);
                    rows.Add(new BulkRowResult(id, true, null, "已催办", "Reminded"));
                }
            }
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            db.ChangeTracker.Clear();
            throw;
        }
        return new BulkResult(rows);
    }

    private static List<int> Checked(IReadOnlyCollection<int> findingIds, Actor actor)
    {
        actor.RequireAuditor();
        var ids = findingIds.Distinct().ToList();
        if (ids.Count == 0)
            throw RectifyException.Invalid("bulk.nothing_selected", "请先勾选要处理的问题。", "Select the findings first.");
        if (ids.Count > MaxFindings)
            throw RectifyException.Invalid("bulk.too_many", $"一次最多处理{MaxFindings}个问题，请缩小筛选范围。", $"At most {MaxFindings} findings at once; narrow the filter.");
        return ids;
    }

    /// <summary>Runs the change on each finding in its own transaction; a refusal is reported and the rest go on.</summary>
    private static async Task<BulkResult> EachAsync(List<int> ids, Func<int, Task> change, CancellationToken ct)
    {
        var rows = new List<BulkRowResult>();
        foreach (var id in ids)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await change(id);
                rows.Add(new BulkRowResult(id, true, null, "已完成", "Done"));
            }
            catch (RectifyException e) when (e.Kind != RectifyErrorKind.Unavailable)
            {
                rows.Add(Refused(id, e));
            }
        }
        return new BulkResult(rows);
    }

    private static BulkRowResult Refused(int id, RectifyException e) => new(id, false, e.Code, e.Message, e.MessageEn);
}
