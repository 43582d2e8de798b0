using System.Net;
using Microsoft.Playwright;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>运行状态 for the supervisor, 邮件 with its next attempts (also at a phone's width), /metrics over loopback.</summary>
public sealed class OperationsBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Supervisor_sees_the_status_page_and_mail_shows_next_attempts()
    {
        var supervisor = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(supervisor, "supervisor");
        await supervisor.ClickAsync("nav a[href='/status']");
        await Assertions.Expect(supervisor.Locator("h1")).ToHaveTextAsync("运行状态");
        await Assertions.Expect(supervisor.Locator("[data-metric=instances-running]")).ToHaveTextAsync("13");
        await Assertions.Expect(supervisor.Locator("[data-metric=timers-late]")).ToHaveTextAsync("0");
        await BrowserApp.ShotAsync(supervisor, "90-status");

        // Here the demo office's mail went out at start (as .eml files): a sent row has no next attempt.
        await supervisor.ClickAsync("nav a[href='/mail']");
        await Assertions.Expect(supervisor.Locator("th", new() { HasText = "下次尝试" })).ToBeVisibleAsync();
        await Assertions.Expect(supervisor.Locator("td.next-try").First).ToHaveTextAsync("—");
        await BrowserApp.ShotAsync(supervisor, "91-mail-next-try");
        var liaison = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(liaison, "jyj");
        await liaison.SetViewportSizeAsync(390, 844);
        await liaison.GotoAsync("/mail");
        await Assertions.Expect(liaison.Locator("td.next-try").First).ToHaveTextAsync("—");
        await BrowserApp.ShotAsync(liaison, "92-mail-next-try-390");
    }

    [Fact]
    public async Task Metrics_answer_a_loopback_scraper_but_not_one_through_a_proxy()
    {
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var scrape = await client.GetStringAsync("/metrics");
        Assert.Contains("rectify_outbox_messages{state=\"pending\"}", scrape);
        using var proxied = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "X-Forwarded-For", "203.0.113.7" } } };
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(proxied)).StatusCode);
    }
}
