using System.Globalization;

namespace Rectify.Time;

/// <summary>
/// Time left to a deadline as people read it, in working days on the official calendar (pages, mails, notices):
/// "剩余3个工作日（12月10日）", "今日到期（12月10日）", "逾期2个工作日（12月10日）". The one formatter for it.
/// </summary>
public readonly record struct RemainingTime(DateOnly Deadline, int WorkingDays)
{
    /// <summary>Working days from <paramref name="today"/> to the deadline: positive ahead, 0 on the day, negative once past (at least −1 the day after).</summary>
    public static RemainingTime Of(WorkingDayCalendar calendar, DateOnly today, DateOnly deadline)
    {
        var count = calendar.CountBetween(today, deadline);
        // A deadline passed over a weekend is still late, not due today.
        if (deadline < today && count == 0)
            count = -1;
        return new RemainingTime(deadline, count);
    }

    private string Day => $"{Deadline.Month}月{Deadline.Day}日";

    private string DayEn => Deadline.ToString("MMM d", CultureInfo.InvariantCulture);

    public string Chinese => WorkingDays switch
    {
        < 0 => $"逾期{-WorkingDays}个工作日（{Day}）",
        0 => $"今日到期（{Day}）",
        _ => $"剩余{WorkingDays}个工作日（{Day}）",
    };

    public string English => WorkingDays switch
    {
        < 0 => $"{-WorkingDays} working day{(WorkingDays == -1 ? "" : "s")} late ({DayEn})",
        0 => $"due today ({DayEn})",
        _ => $"{WorkingDays} working day{(WorkingDays == 1 ? "" : "s")} left ({DayEn})",
    };

    public override string ToString() => Chinese;
}
