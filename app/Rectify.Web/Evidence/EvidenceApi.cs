using Microsoft.Net.Http.Headers;
using Rectify.Reports;
using Rectify.Web.Auth;

namespace Rectify.Web.Evidence;

/// <summary>/api/evidence/{id}: the only way evidence bytes leave the store — staff, or the liaison of the finding's unit.</summary>
public static class EvidenceApi
{
    /// <summary>Types shown in the page; the type is the one the upload check gave, never the client's word.</summary>
    private static readonly HashSet<string> Viewable = new(StringComparer.Ordinal) { "image/png", "image/jpeg", "application/pdf" };

    /// <summary>
    /// For what is shown inline: a unique opaque origin with no script, plugin or form (sandbox), nothing loaded but
    /// itself, framed only by our pages.
    /// </summary>
    public const string ViewContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

    public static bool IsViewable(string contentType) => Viewable.Contains(contentType);

    public static IEndpointRouteBuilder MapEvidenceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/evidence/{id:guid}", async (Guid id, ReportService reports, HttpContext http, CancellationToken ct) =>
        {
            var (file, content) = await reports.OpenAsync(id, http.Actor(), ct);
            // Always a download, never rendered inline on our origin.
            http.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.File(content, file.ContentType, file.FileName, enableRangeProcessing: true);
        }).RequireAuthorization(Policies.SignedIn).WithTags("Evidence").WithSummary("Download an evidence file");

        app.MapGet("/api/evidence/{id:guid}/view", async (Guid id, ReportService reports, HttpContext http, CancellationToken ct) =>
        {
            var (file, content) = await reports.OpenAsync(id, http.Actor(), ct);
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = ViewContentSecurityPolicy;
            headers.CacheControl = "private, no-store";
            if (!IsViewable(file.ContentType))
                return Results.File(content, file.ContentType, file.FileName, enableRangeProcessing: true);
            headers.ContentDisposition = new ContentDispositionHeaderValue("inline") { FileNameStar = file.FileName }.ToString();
            return Results.File(content, file.ContentType, enableRangeProcessing: true);
        }).RequireAuthorization(Policies.SignedIn).WithTags("Evidence")
            .WithSummary("Show an image or PDF evidence file in the browser (sandboxed); other types download");
        return app;
    }
}
