using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Reports;
using Rectify.Time;
using Rectify.Workflows;

namespace Rectify.Findings;

/// <summary>
/// The one place a finding changes state. Draft → Assigned → Submitted → Accepted, or Submitted → Returned (with a
/// new deadline) → Submitted again; overdue is a flag beside the status. Deadlines move only through
/// <see cref="FindingDeadline"/>. An illegal transition throws a
/// <see cref="RectifyException"/> before anything is changed.
/// The synchronous methods mutate a tracked finding and leave saving to the caller (the workflow runtime saves
/// them with its own state); the asynchronous ones are whole user actions that load, authorize, notify the
/// <see cref="IFindingEventHandler"/>s and save in one transaction, retrying on a concurrent change.
/// </summary>
public sealed class FindingLifecycle(
    RectifyDb db, OfficeClock clock, FindingDeadline deadlines, IEnumerable<IFindingEventHandler> handlers, IFindingWorkflowState? workflows = null)
{
    private const int MaxConcurrencyRetries = 5;

    public void Assign(Finding finding)
    {
        Require(finding, FindingStatus.Draft, "finding.assign");
        finding.Status = FindingStatus.Assigned;
        finding.AssignedAt = clock.Now;
        Touch(finding, "finding.assigned");
    }

    /// <summary>Flags an open finding overdue; a second call changes nothing.</summary>
    public bool MarkOverdue(Finding finding)
    {
        if (!finding.IsOpen)
            throw Illegal(finding, "finding.mark_overdue");
        if (finding.IsOverdue)
            return false;
        finding.IsOverdue = true;
        finding.OverdueSince ??= clock.Now;
        Touch(finding, "finding.overdue");
        return true;
    }

    /// <summary>Puts the finding on the follow-up list (回头看) of the next notice.</summary>
    public void QueueForFollowUp(Finding finding)
    {
        if (finding.QueuedForFollowUp)
            return;
        finding.QueuedForFollowUp = true;
        Touch(finding, "finding.queued_for_follow_up");
    }

    public RectificationReport SubmitReport(Finding finding, ReportContent content, Actor actor)
    {
        // A returned finding stays 退回 until the unit resubmits.
        if (finding.Status is not (FindingStatus.Assigned or FindingStatus.Returned))
            throw Illegal(finding, "finding.submit");
        if (string.IsNullOrWhiteSpace(content.Measures))
            throw RectifyException.Invalid("report.measures_required", "请填写整改措施。", "Describe the measures taken.");
        var report = new RectificationReport
        {
            Measures = content.Measures.Trim(),
            IsFullyRectified = content.IsFullyRectified,
            Links = string.Join('\n', content.Links.Select(l => l.Trim()).Where(l => l.Length > 0)),
            SubmittedById = actor.Id,
            SubmittedByName = actor.Name,
            SubmittedAt = clock.Now,
            SubmittedOnTime = clock.Now < clock.EndOf(finding.Deadline),
            Evidence = content.Evidence.ToList(),
        };
        finding.Reports.Add(report);
        finding.Status = FindingStatus.Submitted;
        Touch(finding, "finding.submitted");
        return report;
    }

    public void Review(Finding finding, RectificationReport report, bool accept, string comment, Actor actor)
    {
        if (!actor.IsAuditor)
            throw RectifyException.Forbidden("report.review_forbidden", "只有审核人员可以审核整改报告。", "Only auditors review reports.");
        if (actor.UnitId == finding.UnitId)
            throw RectifyException.Forbidden("report.review_own_unit", "不能审核本单位的整改报告。", "Nobody reviews a report of their own unit.");
        Require(finding, FindingStatus.Submitted, accept ? "finding.accept" : "finding.return");
        if (report.Decision != ReviewDecision.Pending || report.FindingId != finding.Id && report.FindingId != 0)
            throw Illegal(finding, "report.review");
        if (!accept && string.IsNullOrWhiteSpace(comment))
            throw RectifyException.Invalid("report.return_comment_required", "退回时请填写退回意见。", "A return needs a comment.");
        report.Decision = accept ? ReviewDecision.Accepted : ReviewDecision.Returned;
        report.ReviewComment = comment.Trim();
        report.ReviewedById = actor.Id;
        report.ReviewedByName = actor.Name;
        report.ReviewedAt = clock.Now;
        finding.Status = accept ? FindingStatus.Accepted : FindingStatus.Returned;
        if (accept)
            finding.AcceptedAt = clock.Now;
        Touch(finding, accept ? "finding.accepted" : "finding.returned");
    }

    public ExtensionRequest RequestExtension(Finding finding, DateOnly newDeadline, string reason, Actor actor)
    {
        if (finding.Status is not (FindingStatus.Assigned or FindingStatus.Returned))
            throw Illegal(finding, "extension.request");
        if (finding.ExtensionRequests.Any(x => x.Decision == ExtensionDecision.Pending))
            throw new RectifyException("extension.already_pending", "已有一项延期申请待审批。", "An extension request is already pending.");
        if (newDeadline <= finding.Deadline)
            throw RectifyException.Invalid("extension.date_not_later", "申请的新期限必须晚于当前期限。", "The new deadline must be later than the current one.");
        if (string.IsNullOrWhiteSpace(reason))
            throw RectifyException.Invalid("extension.reason_required", "请填写延期理由。", "Give a reason for the extension.");
        var request = new ExtensionRequest
        {
            CurrentDeadline = finding.Deadline,
            RequestedDeadline = newDeadline,
            Reason = reason.Trim(),
            RequestedById = actor.Id,
            RequestedByName = actor.Name,
            RequestedAt = clock.Now,
        };
        finding.ExtensionRequests.Add(request);
        Touch(finding, "extension.requested");
        return request;
    }

    /// <summary>Records the decision; an approval grants <paramref name="granted"/> (checked by the caller), the requested date by default.</summary>
    public void DecideExtension(Finding finding, ExtensionRequest request, bool approve, string comment, Actor actor, DateOnly? granted = null)
    {
        if (!actor.IsAuditor)
            throw RectifyException.Forbidden("extension.decide_forbidden", "只有审核人员可以审批延期申请。", "Only auditors decide extensions.");
        if (actor.UnitId == finding.UnitId)
            throw RectifyException.Forbidden("extension.decide_own_unit", "不能审批本单位的延期申请。", "Nobody decides an extension of their own unit.");
        if (request.Decision != ExtensionDecision.Pending)
            throw new RectifyException("extension.already_decided", "该延期申请已审批。", "This extension request has already been decided.");
        if (approve && !finding.IsOpen)
            throw Illegal(finding, "extension.approve");
        request.Decision = approve ? ExtensionDecision.Approved : ExtensionDecision.Denied;
        request.GrantedDeadline = approve ? granted ?? request.RequestedDeadline : null;
        request.DecisionComment = comment.Trim();
        request.DecidedById = actor.Id;
        request.DecidedByName = actor.Name;
        request.DecidedAt = clock.Now;
        Touch(finding, approve ? "extension.approved" : "extension.denied");
    }

    // ---- whole user actions: load, authorize, change, tell the runtime, save ----

    public Task<RectificationReport> SubmitReportAsync(int findingId, ReportContent content, Actor actor, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, async finding =>
        {
            if (!actor.IsLiaison)
                throw RectifyException.Forbidden("report.submit_forbidden", "只有责任单位联络人可以提交整改报告。", "Only the unit's liaison submits reports.");
            var report = SubmitReport(finding, content, actor);
            await NotifyAsync(new ReportSubmitted(finding, report), ct);
            return report;
        }, ct);

    /// <summary>
    /// Accepts or returns a report. A return gives the later of the current deadline and the return date plus the
    /// workflow's working days (<see cref="FindingDeadline.ProposedOnReturnAsync"/>); the auditor may choose a later
    /// <paramref name="returnDeadline"/>, never an earlier one (finding.return_deadline_too_early).
    /// </summary>
    public Task<RectificationReport> ReviewAsync(int findingId, int reportId, bool accept, string comment, Actor actor,
        DateOnly? returnDeadline = null, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, async finding =>
        {
            var report = finding.Reports.SingleOrDefault(r => r.Id == reportId) ?? throw RectifyException.NotFound("report");
            var deadline = accept ? finding.Deadline : await deadlines.ProposedOnReturnAsync(finding, ct);
            if (!accept && returnDeadline is { } chosen)
            {
                if (chosen < deadline)
                    throw RectifyException.Invalid("finding.return_deadline_too_early",
                        $"退回后的整改期限不能早于 {deadline:yyyy-MM-dd}（当前期限与退回日起规定工作日数中较晚者）。",
                        $"The deadline after a return cannot be earlier than {deadline:yyyy-MM-dd}.");
                deadline = chosen;
            }
            Review(finding, report, accept, comment, actor);
            if (!accept)
                await deadlines.MoveAsync(finding, deadline, DeadlineChange.Returned, $"退回整改：{report.ReviewComment}", ct);
            await NotifyAsync(new ReportReviewed(finding, report), ct);
            return report;
        }, ct);

    /// <summary>
    /// The unit takes its report back before the review: the finding is open again (退回 when an earlier report was
    /// returned, else 待整改) and its workflow waits for a report again. Refused when the finding's workflow gives no
    /// way back (its review step has no Withdrawn connection: report.withdraw_not_in_workflow).
    /// </summary>
    public Task<RectificationReport> WithdrawReportAsync(int findingId, int reportId, Actor actor, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, async finding =>
        {
            if (!actor.IsLiaison)
                throw RectifyException.Forbidden("report.withdraw_forbidden", "只有责任单位联络人可以撤回整改报告。", "Only the unit's liaison withdraws its report.");
            var report = finding.Reports.SingleOrDefault(r => r.Id == reportId) ?? throw RectifyException.NotFound("report");
            if (report.Decision != ReviewDecision.Pending || finding.Status != FindingStatus.Submitted)
                throw new RectifyException("report.withdraw_not_pending", "该报告已审核或已撤回，不能撤回。", "Only a report awaiting review can be withdrawn.");
            if (!await WithdrawalWaitedForAsync(finding.Id, ct))
                throw new RectifyException("report.withdraw_not_in_workflow", "本问题的整改流程不支持撤回报告，请联系审核人员。",
                    "This finding's workflow does not allow withdrawing a report; ask an auditor.");
            report.Decision = ReviewDecision.Withdrawn;
            report.ReviewedById = actor.Id;
            report.ReviewedByName = actor.Name;
            report.ReviewedAt = clock.Now;
            finding.Status = finding.Reports.Any(r => r.Decision == ReviewDecision.Returned) ? FindingStatus.Returned : FindingStatus.Assigned;
            Touch(finding, "finding.report_withdrawn");
            await NotifyAsync(new ReportWithdrawn(finding, report), ct);
            return report;
        }, ct);

    /// <summary>Whether a withdrawal may happen now: no workflow runs for the finding, or it waits for one.</summary>
    public Task<bool> WithdrawalWaitedForAsync(int findingId, CancellationToken ct = default) =>
        workflows?.WaitsForAsync(findingId, nameof(ReportWithdrawn), ct) ?? Task.FromResult(true);

    public Task<ExtensionRequest> RequestExtensionAsync(int findingId, DateOnly newDeadline, string reason, Actor actor, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, async finding =>
        {
            if (!actor.IsLiaison)
                throw RectifyException.Forbidden("extension.request_forbidden", "只有责任单位联络人可以申请延期。", "Only the unit's liaison requests extensions.");
            var request = RequestExtension(finding, newDeadline, reason, actor);
            await NotifyAsync(new ExtensionRequested(finding, request), ct);
            return request;
        }, ct);

    /// <summary>Moves an issued finding's deadline on an auditor's edit; the reason is required and the date may not be in the past.</summary>
    public Task<Finding> ChangeDeadlineAsync(int findingId, DateOnly deadline, string reason, Actor actor, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, async finding =>
        {
            await ChangeDeadlineAsync(finding, deadline, reason, actor, ct);
            return finding;
        }, ct);

    /// <summary>The edit of <see cref="ChangeDeadlineAsync(int, DateOnly, string, Actor, CancellationToken)"/> on a loaded finding; does not save.</summary>
    public async Task ChangeDeadlineAsync(Finding finding, DateOnly deadline, string reason, Actor actor, CancellationToken ct)
    {
        actor.RequireAuditor();
        if (finding.Status is not (FindingStatus.Assigned or FindingStatus.Submitted or FindingStatus.Returned))
            throw Illegal(finding, "finding.change_deadline");
        if (deadline == finding.Deadline)
            return;
        if (deadline < clock.Today)
            throw FindingDeadline.Past(finding, deadline);
        if (string.IsNullOrWhiteSpace(reason))
            throw RectifyException.Invalid("finding.deadline_reason_required", "修改已下发问题的整改期限时，请填写调整理由。", "Give a reason for moving the deadline of an issued finding.");
        await deadlines.MoveAsync(finding, deadline, DeadlineChange.Edited, reason, ct);
        Touch(finding, "finding.deadline_changed");
    }

    /// <summary>
    /// Approves (moving the deadline to <paramref name="granted"/>, by default the requested date; another date needs
    /// a reason in <paramref name="comment"/>, see <see cref="FindingDeadline.CheckGrant"/>) or denies an extension request.
    /// </summary>
    public Task<ExtensionRequest> DecideExtensionAsync(int findingId, int requestId, bool approve, string comment, Actor actor,
        DateOnly? granted = null, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, async finding =>
        {
            var request = finding.ExtensionRequests.SingleOrDefault(x => x.Id == requestId) ?? throw RectifyException.NotFound("extension");
            var date = granted ?? request.RequestedDeadline;
            DecideExtension(finding, request, approve, comment, actor, date);
            if (approve)
            {
                // A refusal here leaves nothing behind: the change is cleared with the context.
                deadlines.CheckGrant(finding, request, date, comment);
                await deadlines.MoveAsync(finding, date, DeadlineChange.ExtensionApproved, date == request.RequestedDeadline
                    ? $"批准延期：{(request.DecisionComment.Length > 0 ? request.Reason.TrimEnd('。', '；', '.', ';') + "；" + request.DecisionComment : request.Reason)}"
                    : $"批准延期至{date:yyyy-MM-dd}（申请{request.RequestedDeadline:yyyy-MM-dd}）：{request.DecisionComment}", ct);
            }
            await NotifyAsync(new ExtensionDecided(finding, request), ct);
            return request;
        }, ct);

    /// <summary>Loads the finding the actor may see (404 otherwise), applies the change and saves it atomically.</summary>
    private async Task<T> ChangeAsync<T>(int findingId, Actor actor, Func<Finding, Task<T>> change, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var finding = await db.Set<Finding>()
                .VisibleTo(actor)
                .Include(f => f.Reports).ThenInclude(r => r.Evidence)
                .Include(f => f.ExtensionRequests)
                .Include(f => f.Unit)
                .AsSplitQuery()
                .SingleOrDefaultAsync(f => f.Id == findingId, ct)
                ?? throw RectifyException.NotFound("finding");
            try
            {
                var result = await change(finding);
                await db.SaveChangesAsync(ct);
                return result;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConcurrencyRetries)
            {
                db.ChangeTracker.Clear();
            }
            catch
            {
                // Nothing of a refused change may linger in this context.
                db.ChangeTracker.Clear();
                throw;
            }
        }
    }

    private async Task NotifyAsync(FindingEvent e, CancellationToken ct)
    {
        foreach (var handler in handlers)
            await handler.HandleAsync(e, ct);
    }

    private void Touch(Finding finding, string action)
    {
        finding.UpdatedAt = clock.Now;
        finding.Version++;
        db.AuditAs(action);
    }

    private static void Require(Finding finding, FindingStatus expected, string transition)
    {
        if (finding.Status != expected)
            throw Illegal(finding, transition);
    }

    private static RectifyException Illegal(Finding finding, string transition) => new(
        "finding.illegal_transition",
        $"当前状态为“{finding.Status.DisplayName()}”，不能执行该操作。",
        $"The finding is {finding.Status}; {transition} is not allowed now.");
}

/// <summary>What a liaison sends in a report; evidence files are already stored.</summary>
public sealed record ReportContent(string Measures, bool IsFullyRectified, IReadOnlyList<string> Links, IReadOnlyList<EvidenceFile> Evidence);
