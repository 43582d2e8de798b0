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
/// The deadline arithmetic of findings in working days: what is left, what a working-day draft resolves to when
/// issued, what a return gives, and the warning when a deadline is too close for the first reminder. The deadline
/// itself moves only through the finding's methods (<see cref="Finding.ChangeDeadline"/>, a return, an approved
/// extension), which record <see cref="DeadlineChanged"/>.
/// </summary>
public sealed class FindingDeadline(OfficeClock clock, WorkingDayCalendar calendar, IDeadlineSettings settings)
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

    public Task<DeadlineSettings> SettingsAsync(Finding finding, CancellationToken ct = default) => settings.ForAsync(finding, ct);

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

    public static RectifyException Past(Finding finding, DateOnly deadline) => RectifyException.Invalid("finding.deadline_past",
        $"问题 #{finding.Id}{(finding.Unit is { } unit ? $"（{unit.Name}）" : "")}的整改期限 {deadline:yyyy-MM-dd} 早于今天，不能下发或保存，请改为今天或以后的日期。",
        $"Finding #{finding.Id}: its deadline {deadline:yyyy-MM-dd} is before today; choose today or a later date.");
}

/// <summary>
/// Tells the liaison of every deadline move (one mail per change, through the outbox, in the same save). The mail
/// gives way to one the same save queues to the liaison about the finding (the workflow's report-returned or
/// extension-decided), which then carries the previous deadline and the reason as well.
/// </summary>
public sealed class DeadlineChangedMail(IMailOutbox mail) : IFindingEventHandler
{
    public Task HandleAsync(FindingEvent e, CancellationToken cancellationToken)
    {
        if (e is not DeadlineChanged changed)
            return Task.CompletedTask;
        var finding = changed.Finding;
        var previous = changed.Previous;
        return mail.EnqueueAsync(new MailRequest(FindingDeadline.MailTemplate, [new MailRecipient(RecipientKind.Liaison)],
            $"deadline:{finding.Id}:{finding.Version}:{previous:yyyyMMdd}-{finding.Deadline:yyyyMMdd}", finding.Id, finding.UnitId,
            Values: new Dictionary<string, string>
            {
                ["previous_deadline"] = $"{previous.Year}年{previous.Month}月{previous.Day}日",
                ["reason"] = changed.Reason,
                ["kind"] = changed.Kind switch
                {
                    DeadlineChange.ExtensionApproved => "批准延期",
                    DeadlineChange.Returned => "退回整改",
                    _ => "审核人员调整",
                },
            }, GivesWay: true), cancellationToken);
    }
}
