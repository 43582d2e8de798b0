using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Rectify.Time;

/// <summary>A count of working days (工作日), signed: positive is after a date, negative before it.</summary>
public readonly record struct WorkingDays(int Count)
{
    public static WorkingDays After(int count) => new(Math.Abs(count));
    public static WorkingDays Before(int count) => new(-Math.Abs(count));
    public override string ToString() => $"{Count} working days";
}

public sealed class WorkingDayOptions
{
    /// <summary>Days the office itself is closed beyond the official calendar (e.g. a local holiday), as yyyy-MM-dd.</summary>
    public List<DateOnly> ClosureDays { get; set; } = [];
}

/// <summary>
/// The official working-day calendar: the State Council's holidays and adjusted working weekend days (调休) from the
/// holiday-cn data embedded in this assembly, plus the office's own closure days. A year without data falls back to
/// Monday–Friday, with a warning logged once for that year, so that deadlines still move instead of failing.
/// </summary>
public sealed class WorkingDayCalendar
{
    private readonly FrozenDictionary<DateOnly, bool> _official;
    private readonly FrozenSet<int> _yearsWithData;
    private readonly FrozenSet<DateOnly> _closures;
    private readonly ILogger _logger;
    private readonly HashSet<int> _warnedYears = [];

    public WorkingDayCalendar(IOptions<WorkingDayOptions> options, ILogger<WorkingDayCalendar>? logger = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _closures = options.Value.ClosureDays.ToFrozenSet();
        var days = new Dictionary<DateOnly, bool>();
        var years = new HashSet<int>();
        var assembly = typeof(WorkingDayCalendar).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("HolidayData.", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var json = JsonDocument.Parse(stream);
            years.Add(json.RootElement.GetProperty("year").GetInt32());
            foreach (var day in json.RootElement.GetProperty("days").EnumerateArray())
                days[DateOnly.ParseExact(day.GetProperty("date").GetString()!, "yyyy-MM-dd")] = day.GetProperty("isOffDay").GetBoolean();
        }
        _official = days.ToFrozenDictionary();
        _yearsWithData = years.ToFrozenSet();
    }

    public IReadOnlySet<int> YearsWithData => _yearsWithData;

    public bool IsWorkingDay(DateOnly date)
    {
        if (_closures.Contains(date))
            return false;
        if (_official.TryGetValue(date, out var isOffDay))
            return !isOffDay;
        if (!_yearsWithData.Contains(date.Year))
            WarnOnce(date.Year);
        return date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    /// <summary>
    /// The working day <paramref name="days"/> working days after (or before, when negative) <paramref name="date"/>,
    /// not counting the date itself: 3 working days after a Friday before a plain weekend is the next Wednesday.
    /// Zero gives the date itself if it is a working day, else the next working day.
    /// </summary>
    public DateOnly Add(DateOnly date, WorkingDays days)
    {
        if (days.Count == 0)
            return NextWorkingDayFrom(date);
        var step = Math.Sign(days.Count);
        var left = Math.Abs(days.Count);
        var current = date;
        while (left > 0)
        {
            current = current.AddDays(step);
            if (IsWorkingDay(current))
                left--;
        }
        return current;
    }

    /// <summary>Working days from <paramref name="from"/> (exclusive) to <paramref name="to"/> (inclusive); negative when <paramref name="to"/> is earlier.</summary>
    public int CountBetween(DateOnly from, DateOnly to)
    {
        var sign = to >= from ? 1 : -1;
        var count = 0;
        for (var d = from; d != to;)
        {
            d = d.AddDays(sign);
            if (IsWorkingDay(d))
                count++;
        }
        return sign * count;
    }

    public DateOnly NextWorkingDayFrom(DateOnly date)
    {
        while (!IsWorkingDay(date))
            date = date.AddDays(1);
        return date;
    }

    private void WarnOnce(int year)
    {
        lock (_warnedYears)
        {
            if (!_warnedYears.Add(year))
                return;
        }
        _logger.LogWarning("No official holiday data for {Year}: counting Monday to Friday as working days. Add {Year}.json from holiday-cn.", year, year);
    }
}
