using System.Net.Mime;
using Rectify.Captures;
using Rectify.Web.Auth;

namespace Rectify.Web.Evidence;

/// <summary>
/// /api/findings/{id}/captures and /api/captures/{id}/…: the fetches of a finding's cited links and their stored
/// copies, for anyone who may see the finding (404 for anyone else).
/// </summary>
public static class CapturesApi
{
    public const string BodyContentSecurityPolicy = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'";

    public static IEndpointRouteBuilder MapCapturesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/findings/{id:int}/captures", async (int id, LinkCaptureService captures, HttpContext http, CancellationToken ct) =>
                (await captures.ForFindingAsync(id, http.Actor(), ct)).Select(v => CaptureDto.Of(v.Capture)))
            .RequireAuthorization(Policies.SignedIn).WithTags("Evidence").WithSummary("Captures and re-checks of the finding's cited links");

        // The stored page as it was served, sandboxed: no script, no form, an origin of its own, nothing loaded from
        // anywhere (the copy shows what was stored, and the unit's server does not learn who looks), framed only by our pages.
        app.MapGet("/api/captures/{id:int}/body", async (int id, LinkCaptureService captures, HttpContext http, CancellationToken ct) =>
        {
            var (capture, content) = await captures.OpenAsync(id, CapturePart.Body, http.Actor(), ct);
            var isHtml = capture.ContentType.StartsWith("text/html", StringComparison.OrdinalIgnoreCase);
            http.Response.Headers.ContentSecurityPolicy = BodyContentSecurityPolicy;
            return isHtml
                ? Results.File(content, capture.ContentType)
                : Results.File(content, MediaTypeNames.Application.Octet, $"capture-{capture.Id}.bin");
        }).RequireAuthorization(Policies.SignedIn).WithTags("Evidence").WithSummary("The stored body of a captured page (sandboxed)");

        app.MapGet("/api/captures/{id:int}/text", async (int id, LinkCaptureService captures, HttpContext http, CancellationToken ct) =>
        {
            var (_, content) = await captures.OpenAsync(id, CapturePart.Text, http.Actor(), ct);
            return Results.File(content, "text/plain; charset=utf-8");
        }).RequireAuthorization(Policies.SignedIn).WithTags("Evidence").WithSummary("The text extracted from a captured page");

        app.MapGet("/api/captures/{id:int}/screenshot", async (int id, LinkCaptureService captures, HttpContext http, CancellationToken ct) =>
        {
            var (_, content) = await captures.OpenAsync(id, CapturePart.Screenshot, http.Actor(), ct);
            return Results.File(content, "image/png");
        }).RequireAuthorization(Policies.SignedIn).WithTags("Evidence").WithSummary("The full-page screenshot of a captured page");
        return app;
    }
}

public sealed record CaptureDto(int Id, int ReportId, string Kind, int? NoticeId, string Url, string Outcome, string Detail,
    DateTimeOffset RequestedAt, DateTimeOffset? FetchedAt, string FinalUrl, int? StatusCode, string ContentType, long Size,
    string Sha256, bool HasBody, bool HasScreenshot, double? Similarity, bool AddedToFollowUp)
{
    public static CaptureDto Of(LinkCapture c) => new(c.Id, c.ReportId, c.Kind.ToString(), c.NoticeId, c.Url, c.Outcome.ToString(), c.Detail,
        c.RequestedAt, c.FetchedAt, c.FinalUrl, c.StatusCode, c.ContentType, c.Size, c.Sha256, c.BodyKey is not null, c.ScreenshotKey is not null,
        c.Similarity, c.AddedToFollowUp);
}
