using Microsoft.Extensions.Options;

namespace Rectify.Time;

public sealed class OfficeOptions
{
    /// <summary>IANA id of the office's time zone; deadlines are local dates in it.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";
    public string Name { get; set; } = "区政务公开办";
}

/// <summary>
/// The office's view of time: instants come from the injected <see cref="TimeProvider"/>, local dates and
/// deadline ends are computed in the office's time zone.
/// </summary>
public sealed class OfficeClock(TimeProvider time, IOptions<OfficeOptions> options)
{
    public TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);

    public DateTimeOffset Now => time.GetUtcNow();

    public DateOnly Today => DateOnly.FromDateTime(ToLocal(Now).DateTime);

    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>The instant a local date begins in the office's time zone.</summary>
    public DateTimeOffset StartOf(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>The end of a deadline day: the first instant after it, in the office's time zone.</summary>
    public DateTimeOffset EndOf(DateOnly deadline) => StartOf(deadline.AddDays(1));
}
