using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Rectify.Captures;
using Rectify.Inspections;
using Rectify.Notices;
using Rectify.Notices.Spreadsheets;
using Rectify.Web.Auth;
using Rectify.Web.Errors;
using Rectify.Web.Evidence;

namespace Rectify.Web.Notices;

/// <summary>
/// /api/notices: drafts (auditors), issuing, the exports (.html, .docx, ledger and completion .xlsx), the spreadsheet
/// import with its progress, and the completion-rate series for the dashboard. Issued notices are readable by everybody
/// signed in; drafts only by staff.
/// </summary>
public static class NoticesApi
{
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    public static IEndpointRouteBuilder MapNoticesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notices").WithTags("Notices").RequireAuthorization(Policies.SignedIn);

        group.MapGet("/", async (NoticeService notices, HttpContext http, CancellationToken ct) =>
            await notices.ListAsync(http.Actor(), ct));
        group.MapGet("/{id:int}", async (int id, NoticeService notices, HttpContext http, CancellationToken ct) =>
        {
            var notice = await notices.GetAsync(id, http.Actor(), ct);
            return NoticeView.Of(notice, await notices.ContentAsync(notice, ct));
        });
        group.MapPost("/", async (NoticeDraft draft, NoticeService notices, HttpContext http, CancellationToken ct) =>
        {
            var notice = await notices.CreateDraftAsync(draft, http.Actor(), ct);
            return TypedResults.Created($"/api/notices/{notice.Id}", Summary(notice));
        }).RequireAuthorization(Policies.Auditor);
        group.MapPut("/{id:int}", async (int id, NoticeDraft draft, NoticeService notices, HttpContext http, CancellationToken ct) =>
            Summary(await notices.UpdateDraftAsync(id, draft, http.Actor(), ct))).RequireAuthorization(Policies.Auditor);
        group.MapDelete("/{id:int}", async (int id, NoticeService notices, HttpContext http, CancellationToken ct) =>
        {
            await notices.DeleteDraftAsync(id, http.Actor(), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.Auditor);
        group.MapPost("/{id:int}/recompose", async (int id, NoticeService notices, HttpContext http, CancellationToken ct) =>
                Summary(await notices.RecomposeAsync(id, http.Actor(), ct))).RequireAuthorization(Policies.Auditor)
            .WithSummary("Composes the draft again from the current data: a new cut-off and a new preview");
        group.MapGet("/{id:int}/rechecks", async (int id, LinkCaptureService captures, CancellationToken ct) =>
                (await captures.RechecksAsync(id, ct)).Select(r => CaptureDto.Of(r.Capture))).RequireAuthorization(Policies.Staff)
            .WithSummary("The re-checks of the links of findings accepted since the previous notice (rebound candidates: Gone, Changed)");
        group.MapPost("/{id:int}/rebounds/{recheckId:int}", async (int id, int recheckId, NoticeService notices, HttpContext http, CancellationToken ct) =>
                Summary(await notices.AddReboundAsync(id, recheckId, http.Actor(), ct))).RequireAuthorization(Policies.Auditor)
            .WithSummary("Puts a re-check's finding into the draft's follow-up (回头看) as 整改反弹 and composes the preview again");
        // 409 notice.already_issued on a second call; 409 notice.changed_since_preview with the differences ("details")
        // when the data changed since the preview was composed.
        group.MapPost("/{id:int}/issue", async (int id, NoticeService notices, HttpContext http, CancellationToken ct) =>
            Summary(await notices.IssueAsync(id, http.Actor(), ct))).RequireAuthorization(Policies.Auditor);

        group.MapGet("/{id:int}/notice.html", async (int id, NoticeService notices, HttpContext http, CancellationToken ct) =>
            Results.Text(await notices.PageHtmlAsync(id, http.Actor(), ct), "text/html; charset=utf-8", Encoding.UTF8));
        // ?letterhead=false leaves out the 版头 (a notice published on the web only); default: Notices:Letterhead.
        group.MapGet("/{id:int}/notice.docx", async (int id, bool? letterhead, NoticeService notices, HttpContext http, CancellationToken ct) =>
        {
            var notice = await notices.GetAsync(id, http.Actor(), ct);
            return Results.File(await notices.DocxAsync(id, http.Actor(), letterhead, ct), Docx, FileName(notice, "docx"));
        });
        // The .docx through LibreOffice (optional on the server: 409 notice.pdf_unavailable without it; 503
        // notice.pdf_busy when the conversions are all taken). The notice page links here, so a browser opening the
        // link is answered with the error page, not problem details.
        group.MapGet("/{id:int}/notice.pdf", async (int id, bool? letterhead, NoticeService notices, NoticePdf pdf, HttpContext http, CancellationToken ct) =>
        {
            var notice = await notices.GetAsync(id, http.Actor(), ct);
            try
            {
                return Results.File(await pdf.ConvertAsync(await notices.DocxAsync(id, http.Actor(), letterhead, ct), ct), "application/pdf", FileName(notice, "pdf"));
            }
            catch (RectifyException e) when (e.Code == NoticePdf.BusyCode && http.Request.Headers["Sec-Fetch-Mode"] == "navigate")
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await RectifyExceptionHandler.WritePageAsync(http, StatusCodes.Status503ServiceUnavailable, e.MessageFor(CultureInfo.CurrentUICulture));
                return Results.Empty;
            }
        });
        group.MapGet("/{id:int}/completion.xlsx", async (int id, NoticeService notices, FindingSheets sheets, HttpContext http, CancellationToken ct) =>
        {
            var notice = await notices.GetAsync(id, http.Actor(), ct);
            return Results.File(await sheets.CompletionAsync(id, http.Actor(), ct), Xlsx, FileName(notice, "xlsx", "整改完成情况"));
        });
        group.MapGet("/{id:int}/ledger.xlsx", async (int id, NoticeService notices, FindingSheets sheets, HttpContext http, CancellationToken ct) =>
        {
            var notice = await notices.GetAsync(id, http.Actor(), ct);
            return Results.File(await sheets.LedgerAsync(http.Actor(), noticeId: id, ct: ct), Xlsx, FileName(notice, "xlsx", "整改台账"));
        }).RequireAuthorization(Policies.Staff);
        group.MapGet("/ledger.xlsx", async (int? inspectionId, FindingSheets sheets, HttpContext http, CancellationToken ct) =>
            Results.File(await sheets.LedgerAsync(http.Actor(), inspectionId, ct: ct), Xlsx, "整改台账.xlsx")).RequireAuthorization(Policies.Staff);

        group.MapGet("/completion-series", async (NoticeService notices, CancellationToken ct) =>
            await notices.CompletionSeriesAsync(ct)).RequireAuthorization(Policies.Staff);
        group.MapGet("/completion-chart.svg", async (NoticeService notices, CancellationToken ct) =>
            Results.Text(CompletionChart.Svg(await notices.CompletionSeriesAsync(ct)), "image/svg+xml", Encoding.UTF8)).RequireAuthorization(Policies.Staff);

        group.MapGet("/import/template.xlsx", () => Results.File(FindingSheets.ImportTemplate(), Xlsx, "检查发现问题导入模板.xlsx"))
            .RequireAuthorization(Policies.Auditor);
        // Starts the import in the background and answers with the job to poll.
        group.MapPost("/import", async ([FromForm] ImportForm form, IFormFile file, ImportJobs jobs, HttpContext http, CancellationToken ct) =>
        {
            var job = jobs.Start(await ReadAsync(file, ct), file.FileName, form.ToRequest(), http.Actor());
            return TypedResults.Accepted($"/api/notices/import/{job.Id}", ImportStatus.Of(job));
        }).RequireAuthorization(Policies.Auditor).WithMetadata(new RequestSizeLimitAttribute(ImportLimits.MaxRequestBytes));
        group.MapGet("/import/{jobId:guid}", (Guid jobId, ImportJobs jobs) =>
            jobs.Get(jobId) is { } job ? Results.Ok(ImportStatus.Of(job)) : Results.NotFound()).RequireAuthorization(Policies.Auditor);
        return app;
    }

    public static async Task<byte[]> ReadAsync(IFormFile file, CancellationToken ct)
    {
        if (file.Length == 0 || !file.FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
            throw RectifyException.Invalid("import.not_xlsx", "请上传 .xlsx 格式的文件（可下载导入模板填写）。", "Upload an .xlsx file (download the template).");
        if (file.Length > ImportLimits.MaxFileBytes)
            throw RectifyException.Invalid("import.too_large", $"文件超过 {ImportLimits.MaxFileBytes / 1024 / 1024} MB，请拆分后分批导入。",
                $"The file is larger than {ImportLimits.MaxFileBytes / 1024 / 1024} MB; split it.");
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    private static string FileName(Notice notice, string extension, string? suffix = null)
    {
        var name = string.Concat((notice.Number.Length > 0 ? notice.Number : notice.Title).Where(c => !Path.GetInvalidFileNameChars().Contains(c)));
        return suffix is null ? $"{name}.{extension}" : $"{name}-{suffix}.{extension}";
    }

    private static NoticeSummary Summary(Notice n) => new(n.Id, n.Number, n.Title, n.Date, n.Status, n.IssuedAt, n.CorrectsNoticeId);

    /// <summary>A notice with its content: live for a draft, the frozen snapshot once issued.</summary>
    public sealed record NoticeView(
        int Id, string Number, string Title, string Office, string Addressees, DateOnly Date, DateOnly PeriodStart, DateOnly PeriodEnd,
        NoticeStatus Status, string Introduction, string Requirements, string Attachments, string ContactLine, int? CorrectsNoticeId,
        IReadOnlyList<int> InspectionIds, DateTimeOffset? IssuedAt, string IssuedByName, NoticeContent Content)
    {
        public static NoticeView Of(Notice n, NoticeContent content) => new(
            n.Id, n.Number, n.Title, n.Office, n.Addressees, n.Date, n.PeriodStart, n.PeriodEnd, n.Status, n.Introduction, n.Requirements,
            n.Attachments, n.ContactLine, n.CorrectsNoticeId, n.Inspections.Select(i => i.InspectionId).ToList(), n.IssuedAt, n.IssuedByName, content);
    }

    public sealed record ImportForm(string Title, InspectionKind Kind, DateOnly PeriodStart, DateOnly PeriodEnd, string? Office)
    {
        public ImportRequest ToRequest() => new(Title ?? "", Kind, PeriodStart, PeriodEnd, Office ?? "");
    }

    public sealed record ImportStatus(Guid Id, string FileName, ImportStage Stage, int Processed, int Total, bool Finished,
        bool? Succeeded, int? InspectionId, int Imported, IReadOnlyList<ImportError> Errors, int ErrorCount, string? Failure)
    {
        public static ImportStatus Of(ImportJob job) => new(job.Id, job.FileName, job.Stage, job.Processed, job.Total, job.Finished,
            job.Result?.Succeeded, job.Result?.InspectionId, job.Result?.Imported ?? 0, job.Result?.Errors ?? [], job.Result?.ErrorCount ?? 0, job.Failure);
    }
}
