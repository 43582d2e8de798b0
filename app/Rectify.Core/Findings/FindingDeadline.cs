using Microsoft.Extensions.DependencyInjection;
using Rectify.Mail;
using Rectify.Time;
using Rectify.Workflows;

namespace Rectify.Findings;

/// <summary>Why a finding's deadline moved.</summary>
public enum DeadlineChange
{
    /// <summary>An auditor edited an issued finding (with a reason).</summary>
    Edited,
    ExtensionApproved,
    /// <summary>A report was returned: the later of the current deadline and the return date plus the workflow's working days.</summary>
    Returned,
}

/// <summary>
/// The one rule that owns a finding's deadline. Every change — an auditor's edit, an approved extension, a returned
/// report — goes through <see cref="MoveAsync"/>, which on the caller's context (so in the caller's transaction)
/// sets the date and its reason (the audit history records both), clears the overdue flag and the follow-up queue when
/// the new deadline is still ahead, queues one deadline-changed mail to the liaison, and tells the workflow
/// (<see cref="DeadlineChanged"/>) so that its reminder and deadline timers are cancelled and re-created from the
/// definition's offsets. A draft given in working days is resolved by <see cref="ResolveForIssue"/>.
/// </summary>
public sealed class FindingDeadline(OfficeClock clock, WorkingDayCalendar calendar, IServiceProvider services, IEnumerable<IFindingEventHandler> handlers)
{
    public const int MaxWorkingDays = 365;
    public const string MailTemplate = "deadline-changed";

    public DateOnly Today => clock.Today;

    public RemainingTime Remaining(DateOnly deadline) => RemainingTime.Of(calendar, clock.Today, deadline);

    /// <summary>The date a deadline of <paramref name="workingDays"/> gets when issued today: counted from the next working day.</summary>
    public DateOnly IfIssuedToday(int workingDays) => calendar.Add(clock.Today, WorkingDays.After(workingDays));

    /// <summary>The finding's deadline as it stands, or for a working-day draft the date it would get if issued today.</summary>
    public DateOnly Effective(Finding finding) =>
        finding.Status == FindingStatus.Draft && finding.DeadlineWorkingDays is { } days ? IfIssuedToday(days) : finding.Deadline;

    public Task<DeadlineSettings> SettingsAsync(Finding finding, CancellationToken ct = default) =>
        services.GetService<IFindingWorkflows>()?.DeadlineSettingsAsync(finding, ct) ?? Task.FromResult(DeadlineSettings.Default);

    /// <summary>The deadline a return made now gives: the later of the current one and today plus the workflow's working days.</summary>
    public async Task<DateOnly> ProposedOnReturnAsync(Finding finding, CancellationToken ct = default)
    {
        var settings = await SettingsAsync(finding, ct);
        var fromReturn = calendar.Add(clock.Today, WorkingDays.After(settings.ReturnDeadlineDays));
        return fromReturn > finding.Deadline ? fromReturn : finding.Deadline;
    }

    /// <summary>
    /// A warning (Chinese, English) when the deadline leaves no more working days than the workflow's first reminder is
    /// placed before it: that reminder's day is today or past, so it would not go out; null otherwise.
    /// </summary>
    public async Task<(string Message, string MessageEn)?> ShortNoticeWarningAsync(Finding finding, CancellationToken ct = default)
    {
        var first = (await SettingsAsync(finding, ct)).FirstReminderDays;
        var deadline = Effective(finding);
        var left = calendar.CountBetween(clock.Today, deadline);
        if (first <= 0 || deadline < clock.Today || left > first)
            return null;
        return ($"问题 #{finding.Id} 的整改期限（{deadline:yyyy-MM-dd}）距今只有{Math.Max(0, left)}个工作日，不足以在期限前{first}个工作日发出第一次催办，该次催办不会发出。",
            $"Finding #{finding.Id}: its deadline ({deadline:yyyy-MM-dd}) leaves {Math.Max(0, left)} working days, too few for the first reminder {first} working days before it; that reminder will not go out.");
    }

    /// <summary>
    /// Before drafts are issued: a working-day deadline becomes a date counted from the next working day, and a
    /// deadline before today is refused (finding.deadline_past), naming the finding. Changes nothing when refused.
    /// </summary>
    public void ResolveForIssue(IReadOnlyList<Finding> drafts)
    {
        var today = clock.Today;
        foreach (var finding in drafts)
        {
            var deadline = Effective(finding);
            if (deadline < today)
                throw Past(finding, deadline);
        }
        foreach (var finding in drafts.Where(f => f.Status == FindingStatus.Draft && f.DeadlineWorkingDays is not null))
        {
            var days = finding.DeadlineWorkingDays!.Value;
            finding.Deadline = IfIssuedToday(days);
            finding.DeadlineWorkingDays = null;
            finding.DeadlineReason = $"下发时按{days}个工作日确定（自下发次日起算）";
        }
    }

    /// <summary>
    /// Checks a date an approval grants other than the requested one (the requested one is approved as before): it
    /// comes with a reason, is later than the current deadline and not before today. Changes nothing.
    /// </summary>
    public void CheckGrant(Finding finding, ExtensionRequest request, DateOnly granted, string reason)
    {
        if (granted == request.RequestedDeadline)
            return;
        if (string.IsNullOrWhiteSpace(reason))
            throw RectifyException.Invalid("extension.grant_reason_required",
                "批准的期限与申请的不同时，请在审批意见中说明理由。", "Give a reason when granting a date other than the one requested.");
        if (granted <= finding.Deadline)
            throw RectifyException.Invalid("extension.grant_not_later",
                $"批准的新期限必须晚于当前期限 {finding.Deadline:yyyy-MM-dd}。", $"The granted deadline must be later than the current one, {finding.Deadline:yyyy-MM-dd}.");
        if (granted < clock.Today)
            throw Past(finding, granted);
    }

    public static RectifyException Past(Finding finding, DateOnly deadline) => RectifyException.Invalid("finding.deadline_past",
        $"问题 #{finding.Id}{(finding.Unit is { } unit ? $"（{unit.Name}）" : "")}的整改期限 {deadline:yyyy-MM-dd} 早于今天，不能下发或保存，请改为今天或以后的日期。",
        $"Finding #{finding.Id}: its deadline {deadline:yyyy-MM-dd} is before today; choose today or a later date.");

    /// <summary>
    /// Moves an issued finding's deadline and everything that follows from it (see the class). Does not save; returns
    /// false and changes nothing when the date stays the same.
    /// </summary>
    public async Task<bool> MoveAsync(Finding finding, DateOnly deadline, DeadlineChange kind, string reason, CancellationToken ct = default)
    {
        if (deadline == finding.Deadline)
            return false;
        var previous = finding.Deadline;
        finding.Deadline = deadline;
        finding.DeadlineReason = reason.Trim();
        if (clock.Now < clock.EndOf(deadline))
        {
            // Not late for the new deadline: no longer flagged, and not to be named in the next notice's 回头看.
            finding.IsOverdue = false;
            finding.OverdueSince = null;
            finding.QueuedForFollowUp = false;
        }
        if (services.GetService<IMailOutbox>() is { } mail)
        {
            await mail.EnqueueAsync(new MailRequest(MailTemplate, [new MailRecipient(RecipientKind.Liaison)],
                $"deadline:{finding.Id}:{finding.Version}:{previous:yyyyMMdd}-{deadline:yyyyMMdd}", finding.Id, finding.UnitId,
                Values: new Dictionary<string, string>
                {
                    ["previous_deadline"] = $"{previous.Year}年{previous.Month}月{previous.Day}日",
                    ["reason"] = finding.DeadlineReason,
                    ["kind"] = kind switch
                    {
                        DeadlineChange.ExtensionApproved => "批准延期",
                        DeadlineChange.Returned => "退回整改",
                        _ => "审核人员调整",
                    },
                }), ct);
        }
        var changed = new DeadlineChanged(finding, previous, kind, finding.DeadlineReason);
        foreach (var handler in handlers)
            await handler.HandleAsync(changed, ct);
        return true;
    }
}
