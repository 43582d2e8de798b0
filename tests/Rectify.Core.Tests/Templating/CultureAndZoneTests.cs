using Microsoft.Extensions.Time.Testing;
using Rectify.Templating;

namespace Rectify.Core.Tests.Templating;

/// <summary>Chinese text as is, zh-CN numbers and dates, instants in the office zone, "now" from the injected clock.</summary>
public sealed class CultureAndZoneTests
{
    private static readonly DateTimeOffset LateUtc = new(2026, 3, 9, 17, 30, 0, TimeSpan.Zero); // 2026-03-10 01:30 in Shanghai

    [Fact]
    public void Instants_are_shown_in_the_office_zone()
    {
        var model = new Dictionary<string, object?> { ["at"] = LateUtc };
        Assert.Equal("2026年3月10日 01:30|2026-03-10T01:30:00+08:00|周二",
            Liquid.Render("{{ at | date: \"%Y年%-m月%-d日 %H:%M\" }}|{{ at | date: \"yyyy-MM-ddTHH:mm:sszzz\" }}|{{ at | date: \"%a\" }}", model));
        Assert.Equal("2026/3/10 01:30:00 +08:00", Liquid.Render("{{ at }}", model));
    }

    [Fact]
    public void Now_and_today_come_from_the_injected_clock()
    {
        var clock = new FakeTimeProvider(Liquid.Start);
        var renderer = Liquid.Renderer(clock);
        var template = LiquidTemplate.Parse("{{ \"now\" | date: \"%Y-%m-%d %H:%M\" }}");
        Assert.Equal("2026-03-02 09:00", renderer.Render(template, null, RenderMode.Text));
        clock.Advance(TimeSpan.FromHours(15));
        Assert.Equal("2026-03-03 00:00", renderer.Render(template, null, RenderMode.Text));
    }

    [Fact]
    public void Dates_and_date_texts_format_as_local_dates()
    {
        var model = new Dictionary<string, object?> { ["deadline"] = new DateOnly(2026, 10, 8), ["text"] = "2026-03-10" };
        Assert.Equal("2026年10月8日|2026年3月10日",
            Liquid.Render("{{ deadline | date: \"%Y年%-m月%-d日\" }}|{{ text | date: \"%Y年%-m月%-d日\" }}", model));
    }

    [Fact]
    public void Numbers_use_the_Chinese_culture_and_Chinese_text_passes_unchanged()
    {
        var model = new Dictionary<string, object?> { ["rate"] = 94.23m, ["big"] = 1234567.5, ["title"] = "关于2026年第一季度政务公开工作检查情况的通报" };
        Assert.Equal("94.23|1234567.5|94.2|关于2026年第一季度政务公开工作检查情况的通报",
            Liquid.Render("{{ rate }}|{{ big }}|{{ rate | round: 1 }}|{{ title }}", model));
        Assert.Equal("关于2026年第一季度政务公开工作检查情况的通报", Liquid.Render("{{ title }}", model, RenderMode.Html));
    }
}
