using Rectify.Findings;
using Rectify.Mail;
using Rectify.Time;
using System.Globalization;

namespace Rectify.Workflows.Activities;

// The rectification steps of a finding. Each waits on finding events by their names (FindingEvent.Name) and on
// timers computed from the finding's deadline in working days. Every deadline change (FindingDeadline) signals
// DeadlineChanged, on which the waiting steps cancel their timer and compute it again from the new deadline.

internal static class Rectification
{
    public const string Category = "整改";
    public const string CategoryEn = "Rectification";

    public static readonly InputDescriptor Template = new("Template", "System.String", "邮件模板", "Mail template")
    {
        UiHint = UiHints.Dropdown, OptionsProvider = OptionProviders.MailTemplates, Required = true,
        Description = "templates/mail 下的模板名", DescriptionEn = "A template name from templates/mail",
    };

    public static InputDescriptor Recipients(string defaultKinds) => new("Recipients", "System.String[]", "收件人", "Recipients")
    {
        UiHint = UiHints.CheckList, OptionsProvider = OptionProviders.RecipientKinds, Default = defaultKinds,
        Options =
        [
            (nameof(RecipientKind.Liaison), "责任单位联络人", "Unit liaison"),
            (nameof(RecipientKind.Leader), "责任单位负责人", "Unit leader"),
            (nameof(RecipientKind.Supervisors), "主管", "Supervisors"),
            (nameof(RecipientKind.Auditors), "审核人员", "Auditors"),
        ],
    };

    public static readonly InputDescriptor Address = new("Address", "System.String", "其他邮箱", "Other address")
    {
        Description = "另外发送到的邮箱地址（可选）", DescriptionEn = "An extra address to send to (optional)",
    };

    public static Task QueueMailAsync(ActivityContext context, string template, IEnumerable<string> kinds, string? address, Dictionary<string, string>? values = null)
    {
        var to = kinds.Select(k => new MailRecipient(Enum.Parse<RecipientKind>(k, ignoreCase: true)))
            .Where(r => r.Kind != RecipientKind.Address)
            .ToList();
        if (!string.IsNullOrWhiteSpace(address))
            to.Add(new MailRecipient(RecipientKind.Address, address.Trim()));
        if (to.Count == 0)
            return Task.CompletedTask;
        var finding = context.Finding;
        values ??= [];
        values.TryAdd("deadline", finding.Deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return context.Services.Mail.EnqueueAsync(
            new MailRequest(template, to, context.DeduplicationKey, finding.Id, finding.UnitId, Values: values));
    }

    /// <summary>The instant at which a deadline-relative wait ends: a time of day on the working day <paramref name="offset"/> away from the deadline.</summary>
    public static DateTimeOffset DueFor(ActivityContext context, int offset, TimeOnly timeOfDay)
    {
        var day = context.Services.Calendar.Add(context.Finding.Deadline, new WorkingDays(offset));
        return context.Services.Clock.StartOf(day) + timeOfDay.ToTimeSpan();
    }
}

public sealed class AssignToUnit : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Rectify.AssignToUnit", "交办单位", "Assign to unit", Rectification.Category, Rectification.CategoryEn,
        "把草稿状态的问题交办给责任单位（待整改）。", "Sends the draft finding to its unit for rectification.");

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.Finding.Status == FindingStatus.Draft)
            context.Finding.Assign(context.Services.Clock);
        return ValueTask.FromResult(ActivityResult.Done());
    }
}

public sealed class SendEmail : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Rectify.SendEmail", "发送邮件", "Send email", Rectification.Category, Rectification.CategoryEn,
        "按模板给所选收件人发送邮件（经发件箱，与本步骤同一事务写入）。", "Queues a templated message to the chosen recipients through the outbox, in the step's transaction.")
    {
        Inputs = [Rectification.Template, Rectification.Recipients("Liaison"), Rectification.Address],
    };

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        await Rectification.QueueMailAsync(context, context.Get<string>("Template"), context.Get<List<string>>("Recipients"), context.Get<string>("Address"));
        return ActivityResult.Done();
    }
}

/// <summary>A wait placed relative to the finding's deadline, which the runtime re-creates after a deadline change when it already ran for the old one.</summary>
public interface IDeadlineRelative
{
    /// <summary>Whether the wait, started now for the current deadline, would still have its moment ahead.</summary>
    bool IsAhead(ActivityContext context);
}

public sealed class WaitUntil : Activity, IDeadlineRelative
{
    public override ActivityDescriptor Descriptor { get; } = new("Rectify.WaitUntil", "等到期限前后", "Wait until", Rectification.Category, Rectification.CategoryEn,
        "等到整改期限前（负数）或后（正数）若干个工作日的指定时刻；期限延长时随之顺延。已过该时刻、或等待期间已提交整改报告，则走“跳过”。",
        "Waits until a time of day a number of working days before (negative) or after (positive) the deadline, following an extended deadline. Goes to Skipped if that time has passed or a report came in meanwhile.")
    {
        Kind = "Task",
        Inputs =
        [
            new InputDescriptor("Offset", "System.Int32", "相对期限的工作日", "Working days from the deadline") { Default = "-3", Required = true, Description = "-3 即期限前 3 个工作日", DescriptionEn = "-3 is three working days before the deadline" },
            new InputDescriptor("TimeOfDay", "System.TimeOnly", "时刻", "Time of day") { Default = "09:00" },
            new InputDescriptor("SkipWhenReportIn", "System.Boolean", "已提交报告则跳过", "Skip when a report is in") { UiHint = UiHints.Checkbox, Default = "true" },
        ],
        Outcomes = [PortDescriptor.Done, new PortDescriptor("Skipped", "跳过", "Skipped")],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var due = Due(context);
        if (due <= context.Now || SkipWhenReportIn(context) && context.Finding.Status == FindingStatus.Submitted)
            return ValueTask.FromResult(ActivityResult.Done("Skipped"));
        return ValueTask.FromResult(ActivityResult.Wait(Bookmarks(context), due));
    }

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Signal signal)
    {
        if (signal.Name == nameof(ReportSubmitted))
            return ValueTask.FromResult(ActivityResult.Done("Skipped"));
        var due = Due(context);
        if (due > context.Now)
            return ValueTask.FromResult(ActivityResult.Wait(Bookmarks(context), due));
        // A deadline moved so that this moment has already passed: as when the wait starts that late, it is skipped
        // rather than sent at once (the unit is told the new date anyway).
        if (!signal.IsTimer)
            return ValueTask.FromResult(ActivityResult.Done("Skipped"));
        // The timer came due: the reminder's moment (催办), in the finding's history.
        if (context.Finding.IsOpen)
            context.Finding.Remind(context.Services.Clock);
        return ValueTask.FromResult(ActivityResult.Done());
    }

    public bool IsAhead(ActivityContext context) => Due(context) > context.Now;

    private static DateTimeOffset Due(ActivityContext context) =>
        Rectification.DueFor(context, context.Get<int>("Offset"), context.Get<TimeOnly>("TimeOfDay"));

    private static bool SkipWhenReportIn(ActivityContext context) => context.Get<bool>("SkipWhenReportIn");

    private static string[] Bookmarks(ActivityContext context) =>
        SkipWhenReportIn(context) ? [nameof(DeadlineChanged), nameof(ReportSubmitted)] : [nameof(DeadlineChanged)];
}

public sealed class WaitForReport : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Rectify.WaitForReport", "等待整改报告", "Wait for report", Rectification.Category, Rectification.CategoryEn,
        "等待责任单位提交整改报告；到期限当天结束（办公地时区）仍未提交则走“逾期”（每个期限一次）。",
        "Waits for the unit's report; at the end of the deadline day (office time zone) without one, goes to Overdue (once per deadline).")
    {
        Kind = "Task",
        Outcomes = [new PortDescriptor("Submitted", "已提交", "Submitted"), new PortDescriptor("Overdue", "逾期", "Overdue")],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var finding = context.Finding;
        if (finding.Status == FindingStatus.Submitted)
            return ValueTask.FromResult(ActivityResult.Done("Submitted"));
        return ValueTask.FromResult(Waiting(context) ?? ActivityResult.Done("Overdue"));
    }

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Signal signal)
    {
        if (signal.Name == nameof(ReportSubmitted))
            return ValueTask.FromResult(ActivityResult.Done("Submitted"));
        return ValueTask.FromResult(Waiting(context) ?? ActivityResult.Done("Overdue"));
    }

    /// <summary>Waiting for the report, with a timer at the deadline's end unless the finding is already overdue; null when the deadline has just passed.</summary>
    private static ActivityResult? Waiting(ActivityContext context)
    {
        var finding = context.Finding;
        var end = context.Services.Clock.EndOf(finding.Deadline);
        if (finding.IsOverdue)
            return ActivityResult.Wait([nameof(ReportSubmitted), nameof(DeadlineChanged)]);
        return end > context.Now ? ActivityResult.Wait([nameof(ReportSubmitted), nameof(DeadlineChanged)], end) : null;
    }
}

public sealed class ReviewReport : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Rectify.ReviewReport", "审核整改报告", "Review report", Rectification.Category, Rectification.CategoryEn,
        "等待审核人员审核报告：通过，或退回。退回后的期限取当前期限与退回日起若干个工作日中较晚者（审核人员可再延后）。审核前单位撤回报告则走“撤回”（未连接时不能撤回）。",
        "Waits for an auditor's review: accepted, or returned. The deadline after a return is the later of the current one and some working days from the return (the auditor may choose a later one). A report the unit withdraws before the review goes to Withdrawn (not connected: no withdrawal).")
    {
        Kind = "Task",
        Inputs = [new InputDescriptor("ReturnDeadlineDays", "System.Int32", "退回后的整改工作日", "Working days after a return") { Default = "5", Required = true }],
        Outcomes = [new PortDescriptor("Accepted", "通过", "Accepted"), new PortDescriptor("Returned", "退回", "Returned"), new PortDescriptor(Withdrawn, "撤回", "Withdrawn")],
    };

    private const string Withdrawn = "Withdrawn";

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Wait(Bookmarks(context)));

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Signal signal) => ValueTask.FromResult(signal.Event switch
    {
        // The new deadline of a return was set with the review (FindingDeadline reads ReturnDeadlineDays from here).
        ReportReviewed reviewed => ActivityResult.Done(reviewed.Report.Decision == Reports.ReviewDecision.Accepted ? "Accepted" : "Returned"),
        ReportWithdrawn => ActivityResult.Done(Withdrawn),
        _ => ActivityResult.Wait(Bookmarks(context)),
    });

    // Withdrawal is offered only where the definition says where it leads (the lifecycle looks for this bookmark).
    private static string[] Bookmarks(ActivityContext context) => context.Definition.From(context.Node.Id, Withdrawn).Any()
        ? [nameof(ReportReviewed), nameof(ReportWithdrawn)]
        : [nameof(ReportReviewed)];
}

public sealed class HandleExtension : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Rectify.HandleExtension", "处理延期申请", "Handle extension", Rectification.Category, Rectification.CategoryEn,
        "等待延期申请的审批结果：批准（期限已顺延）或驳回。", "Waits for an extension request to be decided: approved (the deadline has moved) or denied.")
    {
        Kind = "Task",
        Outcomes = [new PortDescriptor("Approved", "批准", "Approved"), new PortDescriptor("Denied", "驳回", "Denied")],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Wait([nameof(ExtensionDecided)]));

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Signal signal) =>
        ValueTask.FromResult(signal.Event is ExtensionDecided decided
            ? ActivityResult.Done(decided.Request.Decision == ExtensionDecision.Approved ? "Approved" : "Denied")
            : ActivityResult.Wait([nameof(ExtensionDecided)]));
}

public sealed class Escalate : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Rectify.Escalate", "逾期督办", "Escalate", Rectification.Category, Rectification.CategoryEn,
        "标记问题逾期，通知单位负责人和主管，并列入下一期通报的“回头看”。",
        "Flags the finding overdue, tells the unit's leader and the supervisors, and queues it for the next notice's follow-up.")
    {
        Inputs = [Rectification.Template with { Default = "overdue", Required = false }, Rectification.Recipients("Leader,Supervisors")],
    };

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        context.Finding.Escalate(context.Services.Clock);
        await Rectification.QueueMailAsync(context, context.Get<string>("Template"), context.Get<List<string>>("Recipients"), null);
        return ActivityResult.Done();
    }
}

public sealed class Close : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Rectify.Close", "办结", "Close", Rectification.Category, Rectification.CategoryEn,
        "整改办结：取消仍在等待的提醒和延期处理。", "Closes the rectification: cancels the reminders and extension handling still waiting.");

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        context.Cancel(_ => true);
        return ValueTask.FromResult(ActivityResult.Done());
    }
}
