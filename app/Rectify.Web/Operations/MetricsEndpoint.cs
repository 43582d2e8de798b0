using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Prometheus;
using Prometheus.HttpMetrics;

namespace Rectify.Web.Operations;

/// <summary>
/// <c>/metrics</c> in Prometheus text format: the HTTP requests this node served (prometheus-net's middleware) and,
/// read from the database at each scrape, the outbox, the timers, faulted workflows, and this node's imports. The
/// registry is the app's own (not prometheus-net's static default), so two apps in one process keep apart.
/// </summary>
public sealed class MetricsEndpoint
{
    public const string Path = "/metrics";

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public MetricsEndpoint(IServiceScopeFactory scopes)
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        var mail = factory.CreateGauge("rectify_outbox_messages", "Outbox messages by state: pending (queued, not sent), due (pending and due now), retrying (pending after a failed attempt), failed (given up).", "state");
        var mailFailures = factory.CreateGauge("rectify_outbox_attempts_failed", "Delivery attempts that failed, all time (each is listed on /mail).");
        var timers = factory.CreateGauge("rectify_timers", "Workflow timers by state: waiting (all), due (due now, not fired), late (due longer ago than Operations:TimerLateAfter).", "state");
        var oldest = factory.CreateGauge("rectify_timers_oldest_due_seconds", "How long the oldest due timer has waited to fire (0 when none is due).");
        var instances = factory.CreateGauge("rectify_workflow_instances", "Workflow instances: running, faulted.", "state");
        var imports = factory.CreateGauge("rectify_import_jobs", "Spreadsheet imports on this node: running, failed (in the last 10 minutes).", "state");
        Registry.AddBeforeCollectCallback(async ct =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var s = await scope.ServiceProvider.GetRequiredService<OperationsStatus>().ReadAsync(ct);
            mail.WithLabels("pending").Set(s.MailPending);
            mail.WithLabels("due").Set(s.MailDue);
            mail.WithLabels("retrying").Set(s.MailRetrying);
            mail.WithLabels("failed").Set(s.MailFailed);
            mailFailures.Set(s.MailAttemptsFailed);
            timers.WithLabels("waiting").Set(s.TimersWaiting);
            timers.WithLabels("due").Set(s.TimersDue);
            timers.WithLabels("late").Set(s.TimersLate);
            oldest.Set(s.OldestDueSeconds);
            instances.WithLabels("running").Set(s.InstancesRunning);
            instances.WithLabels("faulted").Set(s.InstancesFaulted);
            imports.WithLabels("running").Set(s.ImportsRunning);
            imports.WithLabels("failed").Set(s.ImportsFailed);
        });
    }

    /// <summary>Counts and times every request into this app's registry (http_requests_received_total and friends).</summary>
    public void ConfigureHttpMetrics(HttpMiddlewareExporterOptions options) =>
        options.SetMetricFactory(Metrics.WithCustomRegistry(Registry));

    public static void Map(WebApplication app)
    {
        app.MapGet(Path, async (HttpContext http, MetricsEndpoint metrics, IOptions<OperationsOptions> options) =>
        {
            if (!Allowed(http, options.Value.MetricsToken))
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "metrics: loopback or the configured token only",
                    extensions: new Dictionary<string, object?> { ["code"] = "metrics.forbidden" });
            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
            return Results.Empty;
        }).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>
    /// The configured bearer token, compared in constant time; else a direct loopback connection. A request through a
    /// proxy on the same machine carries forwarding headers and is not taken for a local one.
    /// </summary>
    internal static bool Allowed(HttpContext http, string? token)
    {
        if (token is { Length: > 0 } && http.Request.Headers.Authorization.ToString() is { Length: > 7 } header
            && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim())), SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        }
        var proxied = http.Request.Headers.ContainsKey("X-Forwarded-For") || http.Request.Headers.ContainsKey("Forwarded");
        return !proxied && http.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address);
    }
}
