using Rectify.Auditing;
using Rectify.Common;
using Rectify.Reports;
using Rectify.Time;

namespace Rectify.Findings;

// The finding's transitions: each checks its rule first (nothing changes when it refuses), changes the finding and
// what belongs to it, and records the event. Saving is the caller's (FindingLifecycle, FindingService, the runtime).
public partial class Finding
{
    private readonly List<FindingEvent> _events = [];

    /// <summary>The events recorded since the last save, oldest first.</summary>
    public IReadOnlyList<FindingEvent> PendingEvents() => _events;

    /// <summary>Hands the recorded events over for dispatch (<see cref="Data.RectifyDb"/>).</summary>
    internal List<FindingEvent> TakeEvents()
    {
        var taken = _events.ToList();
        _events.Clear();
        return taken;
    }

    /// <summary>下发: the draft goes to its unit.</summary>
    public void Assign(OfficeClock clock)
    {
        Require(FindingStatus.Draft, "finding.assign");
        Status = FindingStatus.Assigned;
        AssignedAt = clock.Now;
        Record(new FindingAssigned(this), clock);
    }

    public RectificationReport SubmitReport(ReportContent content, Actor actor, OfficeClock clock)
    {
        // A returned finding stays 退回 until the unit resubmits.
        if (Status is not (FindingStatus.Assigned or FindingStatus.Returned))
            throw Illegal("finding.submit");
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
            SubmittedOnTime = clock.Now < clock.EndOf(Deadline),
            Evidence = content.Evidence.ToList(),
        };
        Reports.Add(report);
        Status = FindingStatus.Submitted;
        Record(new ReportSubmitted(this, report), clock);
        return report;
    }

    /// <summary>已整改: the report awaiting review is accepted.</summary>
    public void Accept(RectificationReport report, string comment, Actor actor, OfficeClock clock)
    {
        CheckReview(report, "finding.accept", actor);
        Decide(report, ReviewDecision.Accepted, comment, actor, clock);
        Status = FindingStatus.Accepted;
        AcceptedAt = clock.Now;
        Record(new ReportReviewed(this, report), clock);
    }

    /// <summary>
    /// 退回: the report goes back with a comment, and the deadline becomes <paramref name="deadline"/> (the caller
    /// works out the earliest one the workflow allows).
    /// </summary>
    public void Return(RectificationReport report, string comment, DateOnly deadline, Actor actor, OfficeClock clock)
    {
        CheckReview(report, "finding.return", actor);
        if (string.IsNullOrWhiteSpace(comment))
            throw RectifyException.Invalid("report.return_comment_required", "退回时请填写退回意见。", "A return needs a comment.");
        Decide(report, ReviewDecision.Returned, comment, actor, clock);
        Status = FindingStatus.Returned;
        MoveDeadline(deadline, DeadlineChange.Returned, $"退回整改：{report.ReviewComment}", clock);
        Record(new ReportReviewed(this, report), clock);
    }

    /// <summary>The unit takes its pending report back: open again (退回 when an earlier report was returned, else 待整改).</summary>
    public void WithdrawReport(RectificationReport report, Actor actor, OfficeClock clock)
    {
        if (report.Decision != ReviewDecision.Pending || Status != FindingStatus.Submitted || !Reports.Contains(report))
            throw new RectifyException("report.withdraw_not_pending", "该报告已审核或已撤回，不能撤回。", "Only a report awaiting review can be withdrawn.");
        report.Decision = ReviewDecision.Withdrawn;
        report.ReviewedById = actor.Id;
        report.ReviewedByName = actor.Name;
        report.ReviewedAt = clock.Now;
        Status = Reports.Any(r => r.Decision == ReviewDecision.Returned) ? FindingStatus.Returned : FindingStatus.Assigned;
        Record(new ReportWithdrawn(this, report), clock);
    }

    public ExtensionRequest RequestExtension(DateOnly newDeadline, string reason, Actor actor, OfficeClock clock)
    {
        if (Status is not (FindingStatus.Assigned or FindingStatus.Returned))
            throw Illegal("extension.request");
        if (ExtensionRequests.Any(x => x.Decision == ExtensionDecision.Pending))
            throw new RectifyException("extension.already_pending", "已有一项延期申请待审批。", "An extension request is already pending.");
        if (newDeadline <= Deadline)
            throw RectifyException.Invalid("extension.date_not_later", "申请的新期限必须晚于当前期限。", "The new deadline must be later than the current one.");
        if (string.IsNullOrWhiteSpace(reason))
            throw RectifyException.Invalid("extension.reason_required", "请填写延期理由。", "Give a reason for the extension.");
        var request = new ExtensionRequest
        {
            CurrentDeadline = Deadline,
            RequestedDeadline = newDeadline,
            Reason = reason.Trim(),
            RequestedById = actor.Id,
            RequestedByName = actor.Name,
            RequestedAt = clock.Now,
        };
        ExtensionRequests.Add(request);
        Record(new ExtensionRequested(this, request), clock);
        return request;
    }

    /// <summary>
    /// Approves (moving the deadline to <paramref name="granted"/>, by default the requested date; another date needs
    /// a reason in <paramref name="comment"/>, is later than the current deadline and not past) or denies a request.
    /// </summary>
    public void DecideExtension(ExtensionRequest request, bool approve, string comment, Actor actor, OfficeClock clock, DateOnly? granted = null)
    {
        if (!actor.IsAuditor)
            throw RectifyException.Forbidden("extension.decide_forbidden", "只有审核人员可以审批延期申请。", "Only auditors decide extensions.");
        if (actor.UnitId == UnitId)
            throw RectifyException.Forbidden("extension.decide_own_unit", "不能审批本单位的延期申请。", "Nobody decides an extension of their own unit.");
        if (request.Decision != ExtensionDecision.Pending || !ExtensionRequests.Contains(request))
            throw new RectifyException("extension.already_decided", "该延期申请已审批。", "This extension request has already been decided.");
        if (approve && !IsOpen)
            throw Illegal("extension.approve");
        var date = granted ?? request.RequestedDeadline;
        if (approve)
            CheckGrant(request, date, comment, clock);
        request.Decision = approve ? ExtensionDecision.Approved : ExtensionDecision.Denied;
        request.GrantedDeadline = approve ? date : null;
        request.DecisionComment = comment.Trim();
        request.DecidedById = actor.Id;
        request.DecidedByName = actor.Name;
        request.DecidedAt = clock.Now;
        if (approve)
        {
            MoveDeadline(date, DeadlineChange.ExtensionApproved, date == request.RequestedDeadline
                ? $"批准延期：{(request.DecisionComment.Length > 0 ? request.Reason.TrimEnd('。', '；', '.', ';') + "；" + request.DecisionComment : request.Reason)}"
                : $"批准延期至{date:yyyy-MM-dd}（申请{request.RequestedDeadline:yyyy-MM-dd}）：{request.DecisionComment}", clock);
        }
        Record(new ExtensionDecided(this, request), clock);
    }

    /// <summary>An auditor moves an issued finding's deadline: with a reason, never into the past. The same date changes nothing.</summary>
    public void ChangeDeadline(DateOnly deadline, string reason, Actor actor, OfficeClock clock)
    {
        actor.RequireAuditor();
        if (!IsOpen)
            throw Illegal("finding.change_deadline");
        if (deadline == Deadline)
            return;
        if (deadline < clock.Today)
            throw FindingDeadline.Past(this, deadline);
        if (string.IsNullOrWhiteSpace(reason))
            throw RectifyException.Invalid("finding.deadline_reason_required", "修改已下发问题的整改期限时，请填写调整理由。", "Give a reason for moving the deadline of an issued finding.");
        MoveDeadline(deadline, DeadlineChange.Edited, reason, clock);
    }

    /// <summary>Flags an open finding overdue; a second call changes nothing and returns false.</summary>
    public bool MarkOverdue(OfficeClock clock)
    {
        if (!FlagOverdue(clock))
            return false;
        Record(new FindingMarkedOverdue(this), clock);
        return true;
    }

    /// <summary>Puts the finding on the follow-up list (回头看) of the next notice; <paramref name="why"/> names the step in the history.</summary>
    public void QueueForFollowUp(OfficeClock clock, string why = "finding.queued_for_follow_up")
    {
        if (QueuedForFollowUp)
            return;
        QueuedForFollowUp = true;
        Record(new FindingQueuedForFollowUp(this, why), clock);
    }

    /// <summary>逾期督办: flagged overdue (while open) and queued for the next notice's follow-up, as one step.</summary>
    public void Escalate(OfficeClock clock)
    {
        if (IsOpen)
            FlagOverdue(clock);
        QueuedForFollowUp = true;
        Record(new FindingEscalated(this), clock);
    }

    /// <summary>The workflow reminded the unit (催办); the finding itself does not change.</summary>
    public void Remind(OfficeClock clock)
    {
        if (!IsOpen)
            throw Illegal("finding.remind");
        _events.Add(new FindingReminded(this));
    }

    private bool FlagOverdue(OfficeClock clock)
    {
        if (!IsOpen)
            throw Illegal("finding.mark_overdue");
        if (IsOverdue)
            return false;
        IsOverdue = true;
        OverdueSince ??= clock.Now;
        return true;
    }

    /// <summary>Sets the deadline and its reason; a deadline still ahead clears the overdue flag and the follow-up queue.</summary>
    private void MoveDeadline(DateOnly deadline, DeadlineChange kind, string reason, OfficeClock clock)
    {
        if (deadline == Deadline)
            return;
        var previous = Deadline;
        Deadline = deadline;
        DeadlineReason = reason.Trim();
        if (clock.Now < clock.EndOf(deadline))
        {
            // Not late for the new deadline: no longer flagged, and not to be named in the next notice's 回头看.
            IsOverdue = false;
            OverdueSince = null;
            QueuedForFollowUp = false;
        }
        _events.Add(new DeadlineChanged(this, previous, kind, DeadlineReason));
    }

    /// <summary>An approval granting another date than the one requested: with a reason, later than the current deadline, not past.</summary>
    private void CheckGrant(ExtensionRequest request, DateOnly granted, string reason, OfficeClock clock)
    {
        if (granted == request.RequestedDeadline)
            return;
        if (string.IsNullOrWhiteSpace(reason))
            throw RectifyException.Invalid("extension.grant_reason_required",
                "批准的期限与申请的不同时，请在审批意见中说明理由。", "Give a reason when granting a date other than the one requested.");
        if (granted <= Deadline)
            throw RectifyException.Invalid("extension.grant_not_later",
                $"批准的新期限必须晚于当前期限 {Deadline:yyyy-MM-dd}。", $"The granted deadline must be later than the current one, {Deadline:yyyy-MM-dd}.");
        if (granted < clock.Today)
            throw FindingDeadline.Past(this, granted);
    }

    private void CheckReview(RectificationReport report, string transition, Actor actor)
    {
        if (!actor.IsAuditor)
            throw RectifyException.Forbidden("report.review_forbidden", "只有审核人员可以审核整改报告。", "Only auditors review reports.");
        if (actor.UnitId == UnitId)
            throw RectifyException.Forbidden("report.review_own_unit", "不能审核本单位的整改报告。", "Nobody reviews a report of their own unit.");
        Require(FindingStatus.Submitted, transition);
        if (report.Decision != ReviewDecision.Pending || !Reports.Contains(report))
            throw Illegal("report.review");
    }

    private static void Decide(RectificationReport report, ReviewDecision decision, string comment, Actor actor, OfficeClock clock)
    {
        report.Decision = decision;
        report.ReviewComment = comment.Trim();
        report.ReviewedById = actor.Id;
        report.ReviewedByName = actor.Name;
        report.ReviewedAt = clock.Now;
    }

    private void Record(FindingEvent e, OfficeClock clock)
    {
        UpdatedAt = clock.Now;
        Version++;
        _events.Add(e);
    }

    private void Require(FindingStatus expected, string transition)
    {
        if (Status != expected)
            throw Illegal(transition);
    }

    private RectifyException Illegal(string transition) => new(
        "finding.illegal_transition",
        $"当前状态为“{Status.Label().Zh}”，不能执行该操作。",
        $"The finding is {Status}; {transition} is not allowed now.");
}

/// <summary>What a liaison sends in a report; evidence files are already stored.</summary>
public sealed record ReportContent(string Measures, bool IsFullyRectified, IReadOnlyList<string> Links, IReadOnlyList<EvidenceFile> Evidence);
