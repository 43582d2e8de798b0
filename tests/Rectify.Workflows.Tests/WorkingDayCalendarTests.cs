using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Time;

namespace Rectify.Workflows.Tests;

/// <summary>Working-day arithmetic on the official calendar (holiday-cn), its adjusted working weekends, office closures and the fallback.</summary>
public class WorkingDayCalendarTests
{
    private static WorkingDayCalendar Calendar(params DateOnly[] closures) =>
        new(Options.Create(new WorkingDayOptions { ClosureDays = [.. closures] }));

    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    [Fact]
    public void Spring_Festival_2025_skips_the_holiday_and_counts_the_adjusted_weekend_days()
    {
        var calendar = Calendar();
        // 2025-01-26 (Sunday) and 2025-02-08 (Saturday) are working days; 01-28 … 02-04 are off.
        Assert.True(calendar.IsWorkingDay(D(2025, 1, 26)));
        Assert.True(calendar.IsWorkingDay(D(2025, 2, 8)));
        Assert.False(calendar.IsWorkingDay(D(2025, 1, 29)));
        Assert.False(calendar.IsWorkingDay(D(2025, 2, 3)));
        Assert.Equal(D(2025, 1, 26), calendar.Add(D(2025, 1, 24), WorkingDays.After(1)));
        Assert.Equal(D(2025, 1, 27), calendar.Add(D(2025, 1, 24), WorkingDays.After(2)));
        Assert.Equal(D(2025, 2, 5), calendar.Add(D(2025, 1, 24), WorkingDays.After(3)));
        Assert.Equal(D(2025, 2, 8), calendar.Add(D(2025, 2, 7), WorkingDays.After(1)));
        Assert.Equal(D(2025, 2, 10), calendar.Add(D(2025, 2, 7), WorkingDays.After(2)));
        // Reminders count backwards over the same days.
        Assert.Equal(D(2025, 1, 27), calendar.Add(D(2025, 2, 5), WorkingDays.Before(1)));
        Assert.Equal(D(2025, 1, 24), calendar.Add(D(2025, 2, 5), WorkingDays.Before(3)));
        Assert.Equal(3, calendar.CountBetween(D(2025, 1, 24), D(2025, 2, 5)));
    }

    [Fact]
    public void Spring_Festival_2026_skips_nine_days_off_and_counts_both_working_saturdays()
    {
        var calendar = Calendar();
        // 2026-02-14 (Saturday) and 2026-02-28 (Saturday) are working days; 02-15 … 02-23 are off.
        Assert.Equal(D(2026, 2, 14), calendar.Add(D(2026, 2, 13), WorkingDays.After(1)));
        Assert.Equal(D(2026, 2, 24), calendar.Add(D(2026, 2, 13), WorkingDays.After(2)));
        Assert.Equal(D(2026, 2, 28), calendar.Add(D(2026, 2, 27), WorkingDays.After(1)));
        Assert.Equal(D(2026, 3, 2), calendar.Add(D(2026, 2, 27), WorkingDays.After(2)));
        // "3 working days before a deadline of 02-24": 02-14, 02-13, 02-12.
        Assert.Equal(D(2026, 2, 14), calendar.Add(D(2026, 2, 24), WorkingDays.Before(1)));
        Assert.Equal(D(2026, 2, 12), calendar.Add(D(2026, 2, 24), WorkingDays.Before(3)));
        Assert.Equal(D(2026, 2, 24), calendar.Add(D(2026, 2, 15), new WorkingDays(0)));
    }

    [Fact]
    public void Office_closure_days_are_not_working_days()
    {
        var calendar = Calendar(D(2026, 3, 3));
        Assert.False(calendar.IsWorkingDay(D(2026, 3, 3)));
        Assert.Equal(D(2026, 3, 4), calendar.Add(D(2026, 3, 2), WorkingDays.After(1)));
    }

    [Fact]
    public void A_year_without_data_falls_back_to_monday_to_friday_with_one_warning()
    {
        var logger = new ListLogger();
        var calendar = new WorkingDayCalendar(Options.Create(new WorkingDayOptions()), logger);
        Assert.DoesNotContain(2031, calendar.YearsWithData);
        // 2031-01-03 is a Friday.
        Assert.Equal(D(2031, 1, 6), calendar.Add(D(2031, 1, 3), WorkingDays.After(1)));
        Assert.Equal(D(2031, 1, 10), calendar.Add(D(2031, 1, 3), WorkingDays.After(5)));
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("2031", warning.Message);
    }

    [Fact]
    public void End_of_a_deadline_day_is_midnight_in_Shanghai()
    {
        var clock = new OfficeClock(TimeProvider.System, Options.Create(new OfficeOptions()));
        Assert.Equal(new DateTimeOffset(2026, 3, 13, 16, 0, 0, TimeSpan.Zero), clock.EndOf(D(2026, 3, 13)));
    }

    private sealed class ListLogger : ILogger<WorkingDayCalendar>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
