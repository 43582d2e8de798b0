using Microsoft.Extensions.Options;
using Rectify.Time;
using System.Globalization;

namespace Rectify.Core.Tests;

/// <summary>The one formatter of time left to a deadline, in working days on the official calendar.</summary>
public sealed class RemainingTimeTests
{
    private static readonly WorkingDayCalendar Calendar = new(Options.Create(new WorkingDayOptions()));

    [Theory]
    // Ten calendar days before a deadline after 国庆 2026 are three working days.
    [InlineData("2026-09-29", "2026-10-09", 3, "剩余3个工作日（10月9日）", "3 working days left (Oct 9)")]
    [InlineData("2026-12-10", "2026-12-10", 0, "今日到期（12月10日）", "due today (Dec 10)")]
    [InlineData("2026-12-14", "2026-12-10", -2, "逾期2个工作日（12月10日）", "2 working days late (Dec 10)")]
    // Past over a weekend: late, not due.
    [InlineData("2026-12-13", "2026-12-11", -1, "逾期1个工作日（12月11日）", "1 working day late (Dec 11)")]
    public void Counts_working_days_and_names_the_date(string today, string deadline, int days, string chinese, string english)
    {
        var remaining = RemainingTime.Of(Calendar, DateOnly.Parse(today, CultureInfo.InvariantCulture), DateOnly.Parse(deadline, CultureInfo.InvariantCulture));
        Assert.Equal((days, chinese, english), (remaining.WorkingDays, remaining.Chinese, remaining.English));
    }
}
