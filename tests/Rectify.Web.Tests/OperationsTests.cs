using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Mail.Outbox;
using Rectify.Reports;
using Rectify.Testing;
using Rectify.Workflows;
using Rectify.Workflows.Timers;

namespace Rectify.Web.Tests;

/// <summary>
/// What an office IT person runs: /metrics (moving when mail fails or a timer is late), /mail's next attempt, and the
/// backup command under write load restored into a database that passes its integrity check and starts the app.
/// </summary>
public sealed class OperationsTests(OperationsTests.OperationsApp app) : IClassFixture<OperationsTests.OperationsApp>
{
    public const string Token = "scrape-3f9a1c";

    /// <summary>SMTP pointed at a loopback port nobody listens on; mail sent and timers fired only when the test says so.</summary>
    public sealed class OperationsApp : RectifyWebFactory
    {
        private static readonly int ClosedPort = FreePort();

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Operations:MetricsToken"] = Token,
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = ClosedPort.ToString(CultureInfo.InvariantCulture),
            ["Mail:Smtp:Security"] = "None",
            ["Workflows:RunDispatcher"] = "false",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // No background sender: its first pass runs on the thread pool whenever it gets a thread, and one that came
            // after the test moved the clock would try each message once more than the test counts.
            builder.ConfigureTestServices(services => services.Remove(services.Single(s => s.ImplementationType == typeof(MailSenderService))));
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    private async Task<string> ScrapeAsync()
    {
        var client = await app.ClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static double Value(string scrape, string series)
    {
        var match = Regex.Match(scrape, "^" + Regex.Escape(series) + @" (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{series} missing from\n{scrape}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Metrics_need_the_token_off_loopback_and_name_every_series()
    {
        var anonymous = await app.ClientAsync();
        await WebFixture.ProblemAsync(await anonymous.GetAsync("/metrics"), HttpStatusCode.Forbidden, "metrics.forbidden");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token + "x") } };
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(wrong)).StatusCode);
        // A signed-in supervisor is no scraper either: the page /status is theirs.
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientAsync("supervisor")).GetAsync("/metrics")).StatusCode);

        await anonymous.GetAsync("/health");
        var scrape = await ScrapeAsync();
        foreach (var series in new[]
                 {
                     "rectify_outbox_messages{state=\"pending\"}", "rectify_outbox_messages{state=\"due\"}", "rectify_outbox_messages{state=\"retrying\"}",
                     "rectify_outbox_messages{state=\"failed\"}", "rectify_outbox_attempts_failed", "rectify_timers{state=\"waiting\"}",
                     "rectify_timers{state=\"due\"}", "rectify_timers{state=\"late\"}", "rectify_timers_oldest_due_seconds",
                     "rectify_workflow_instances{state=\"running\"}", "rectify_workflow_instances{state=\"faulted\"}",
                     "rectify_import_jobs{state=\"running\"}", "rectify_import_jobs{state=\"failed\"}",
                 })
            Value(scrape, series);
        Assert.Matches(new Regex("^http_requests_received_total\\{[^}]*code=\"200\"[^}]*endpoint=\"/health\"[^}]*\\} [1-9]", RegexOptions.Multiline), scrape);
        // The demo office: 13 issued findings, each running its workflow until its report is accepted.
        Assert.Equal(13, Value(scrape, "rectify_workflow_instances{state=\"running\"}"));
        Assert.Equal(0, Value(scrape, "rectify_workflow_instances{state=\"faulted\"}"));
    }

    [Fact]
    public async Task Failed_mail_and_late_timers_move_the_series_and_mail_shows_the_next_attempt()
    {
        // The first pass fails every queued message once; two minutes later each is due again.
        var sender = app.Services.GetRequiredService<MailSender>();
        await sender.SendDueAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        var before = await ScrapeAsync();
        Assert.Equal(0, Value(before, "rectify_timers{state=\"late\"}"));
        Assert.True(Value(before, "rectify_outbox_messages{state=\"due\"}") > 0, before);

        // The SMTP server does not answer: every due batch fails and waits for its retry.
        Assert.Equal(0, await sender.SendDueAsync());
        var failed = await ScrapeAsync();
        Assert.True(Value(failed, "rectify_outbox_attempts_failed") > Value(before, "rectify_outbox_attempts_failed"), failed);
        Assert.True(Value(failed, "rectify_outbox_messages{state=\"retrying\"}") > 0, failed);

        // /mail says when each unsent message is tried next: its backoff instant, in office time.
        var retry = await app.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Pending && m.Attempts > 0).OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).FirstAsync());
        Assert.Equal(app.Clock.GetUtcNow() + TimeSpan.FromSeconds(30 * Math.Pow(2, retry.Attempts - 1)), retry.NextAttemptAt);
        var page = WebUtility.HtmlDecode(await (await app.ClientAsync("auditor")).GetStringAsync("/mail?status=Pending"));
        Assert.Contains("下次尝试", page);
        Assert.Contains(TimeZoneInfo.ConvertTime(retry.NextAttemptAt, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture), page);

        // No dispatcher runs: a month later the reminders are due and late, the oldest by weeks.
        app.Clock.Advance(TimeSpan.FromDays(30));
        var late = await ScrapeAsync();
        Assert.True(Value(late, "rectify_timers{state=\"late\"}") > 0, late);
        Assert.True(Value(late, "rectify_timers_oldest_due_seconds") > TimeSpan.FromDays(7).TotalSeconds, late);
        var status = WebUtility.HtmlDecode(await (await app.ClientAsync("supervisor")).GetStringAsync("/status"));
        Assert.Contains("运行状态", status);
        Assert.Matches(new Regex("data-metric=\"timers-late\">([1-9][0-9]*)<"), status);

        // Once fired, nothing is late any more.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var dispatcher = scope.ServiceProvider.GetRequiredService<TimerDispatcher>();
            while (await dispatcher.FireDueAsync() > 0) { }
        }
        var caughtUp = await ScrapeAsync();
        Assert.Equal(0, Value(caughtUp, "rectify_timers{state=\"late\"}"));
        Assert.Equal(0, Value(caughtUp, "rectify_timers_oldest_due_seconds"));
    }
}
