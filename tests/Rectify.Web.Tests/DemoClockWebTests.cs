using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Rectify.Web.Tests.Browser;
using Rectify.Workflows;

namespace Rectify.Web.Tests;

/// <summary>The settings that turn the demonstration clock on at 2026-09-28 08:00 (Shanghai), over the test's fake real clock.</summary>
public static class DemoClockSettings
{
    public static readonly DateTimeOffset Start = new(2026, 9, 28, 8, 0, 0, TimeSpan.FromHours(8));

    public static IDictionary<string, string?> Values => new Dictionary<string, string?>
    {
        ["Workflows:DemoClock:Enabled"] = "true",
        ["Workflows:DemoClock:Start"] = "2026-09-28T08:00+08:00",
    };

    /// <summary>The factory puts its fake clock in place of the app's; the demo clock then wraps that one.</summary>
    public static void WrapTheTestClock(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddDemoClock(new ConfigurationBuilder().AddInMemoryCollection(Values).Build()));
}

public sealed class DemoClockWebFactory : RectifyWebFactory
{
    protected override IDictionary<string, string?> Settings => DemoClockSettings.Values;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        DemoClockSettings.WrapTheTestClock(builder);
    }
}

public sealed class DemoClockBrowserApp : BrowserApp
{
    protected override IDictionary<string, string?> Settings => DemoClockSettings.Values;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        DemoClockSettings.WrapTheTestClock(builder);
    }
}

/// <summary>Moving the demonstration clock by days over real HTTP keeps every signed-in session valid.</summary>
public sealed class DemoClockWebTests(DemoClockWebFactory app) : IClassFixture<DemoClockWebFactory>
{
    [Fact]
    public async Task A_move_of_days_keeps_signed_in_sessions_valid()
    {
        var supervisor = await app.ClientAsync("supervisor");
        var auditor = await app.ClientAsync("auditor");
        var clock = await supervisor.GetFromJsonAsync<JsonElement>("/api/workflows/demo-clock");
        Assert.True(clock.GetProperty("enabled").GetBoolean());
        Assert.Equal(DemoClockSettings.Start, clock.GetProperty("now").GetDateTimeOffset());

        var until = new DateTimeOffset(2026, 10, 18, 9, 0, 0, TimeSpan.FromHours(8)); // 20 days on, past 国庆
        var moved = await supervisor.PostAsJsonAsync("/api/workflows/demo-clock", new { until });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        // Real time moves on a little as well.
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        clock = await supervisor.GetFromJsonAsync<JsonElement>("/api/workflows/demo-clock");
        Assert.Equal(until.AddMinutes(5), clock.GetProperty("now").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/notices")).StatusCode);
        var page = await auditor.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await supervisor.GetAsync("/workflows")).StatusCode);
    }
}
