using Rectify.Reports;
using Rectify.Web.Auth;

namespace Rectify.Web.Evidence;

/// <summary>/api/evidence/{id}: the only way evidence bytes leave the store — staff, or the liaison of the finding's unit.</summary>
public static class EvidenceApi
{
    public static IEndpointRouteBuilder MapEvidenceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/evidence/{id:guid}", async (Guid id, ReportService reports, HttpContext http, CancellationToken ct) =>
        {
            var (file, content) = await reports.OpenAsync(id, http.Actor(), ct);
            // Always a download, never rendered inline on our origin.
            http.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.File(content, file.ContentType, file.FileName, enableRangeProcessing: true);
        }).RequireAuthorization(Policies.SignedIn).WithTags("Evidence").WithSummary("Download an evidence file");
        return app;
    }
}
