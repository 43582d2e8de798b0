using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Rectify.Auditing;
using Rectify.Comments;
using Rectify.Common;
using Rectify.Findings;
using Rectify.Notices.Spreadsheets;
using Rectify.Web.Notices;
using Rectify.Reports;
using Rectify.Web.Auth;

namespace Rectify.Web.Findings;

public sealed record EvidenceDto(Guid Id, string FileName, string ContentType, long Size, string Sha256, string DownloadUrl);

public sealed record ReportDto(int Id, string Measures, bool IsFullyRectified, IReadOnlyList<string> Links, string SubmittedBy,
    DateTimeOffset SubmittedAt, bool SubmittedOnTime, ReviewDecision Decision, string ReviewComment, string ReviewedBy,
    DateTimeOffset? ReviewedAt, IReadOnlyList<EvidenceDto> Evidence);

public sealed record ExtensionDto(int Id, DateOnly CurrentDeadline, DateOnly RequestedDeadline, string Reason, string RequestedBy,
    DateTimeOffset RequestedAt, ExtensionDecision Decision, string DecisionComment, string DecidedBy, DateTimeOffset? DecidedAt,
    DateOnly? GrantedDeadline);

/// <summary><paramref name="FromUnit"/>: written by the unit's liaison, else by an auditor.</summary>
public sealed record CommentDto(int Id, string Body, string Author, bool FromUnit, DateTimeOffset CreatedAt);

public sealed record CommentBody(string? Body);

public sealed record HistoryDto(long Id, DateTimeOffset At, string ActorId, string ActorName, string Action, string EntityType,
    string EntityId, string? Before, string? After);

public sealed record FindingDto(int Id, int InspectionId, string InspectionTitle, int UnitId, string UnitName, int CategoryId,
    string CategoryName, string Location, string Description, string Requirement, Severity Severity, DateOnly Deadline,
    int DaysLeft, FindingStatus Status, bool IsOverdue, bool QueuedForFollowUp, int Version, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, IReadOnlyList<ReportDto> Reports, IReadOnlyList<ExtensionDto> Extensions, IReadOnlyList<HistoryDto> History);

public sealed record IssueRequest(IReadOnlyList<int> Ids);

/// <summary><paramref name="ReturnDeadline"/>: with a return, a deadline later than the one the workflow gives (never earlier).</summary>
public sealed record ReviewRequest(bool Accept, string? Comment, DateOnly? ReturnDeadline = null);

public sealed record ExtensionRequestBody(DateOnly NewDeadline, string Reason);

/// <summary><paramref name="GrantedDeadline"/>: with an approval, a date other than the requested one (the comment gives the reason).</summary>
public sealed record ExtensionDecisionBody(bool Approve, string? Comment, DateOnly? GrantedDeadline = null);

/// <summary>
/// The findings a bulk action works on: <paramref name="Ids"/>, or with <paramref name="All"/> every finding on the
/// list's filter (the query string of GET /api/findings: unitId, status, …). <paramref name="Deadline"/> and
/// <paramref name="Reason"/> for moving deadlines, <paramref name="Comment"/> for a review.
/// </summary>
public sealed record BulkRequest(IReadOnlyList<int>? Ids, bool All = false, string? Comment = null, DateOnly? Deadline = null, string? Reason = null);

/// <summary>/api/findings: the finding list, detail and history, recording and issuing, reports, reviews and extensions.</summary>
public static class FindingsApi
{
    public static IEndpointRouteBuilder MapFindingsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/findings").WithTags("Findings").RequireAuthorization(Policies.SignedIn);

        group.MapGet("/", async ([AsParameters] FindingQuery q, FindingService service, HttpContext http, CancellationToken ct) =>
            await service.SearchAsync(q.ToFilter(), http.Actor(), ct))
            .WithSummary("Finding list with filters and paging (a liaison sees its unit only)");

        group.MapGet("/{id:int}", async (int id, FindingService service, HttpContext http, CancellationToken ct) =>
            ToDto(await service.GetAsync(id, http.Actor(), ct), http.Actor()))
            .WithName("GetFinding").WithSummary("A finding with its reports, evidence, extensions and full history");

        group.MapGet("/{id:int}/history", async (int id, FindingService service, HttpContext http, CancellationToken ct) =>
            (await service.HistoryAsync(id, http.Actor(), ct)).Select(a => ToDto(a, http.Actor())).ToList())
            .WithSummary("The audit history of a finding, oldest first");

        group.MapPost("/", async (FindingInput input, FindingService service, HttpContext http, CancellationToken ct) =>
        {
            var finding = await service.CreateAsync(input, http.Actor(), ct);
            return TypedResults.Created($"/api/findings/{finding.Id}", ToDto(await service.GetAsync(finding.Id, http.Actor(), ct), http.Actor()));
        }).RequireAuthorization(Policies.Auditor).WithSummary("Record a draft finding");

        group.MapPut("/{id:int}", async (int id, FindingInput input, FindingService service, HttpContext http, CancellationToken ct) =>
        {
            await service.UpdateAsync(id, input, http.Actor(), ct);
            return ToDto(await service.GetAsync(id, http.Actor(), ct), http.Actor());
        }).RequireAuthorization(Policies.Auditor).WithSummary("Edit a draft, assigned or returned finding (an issued one's deadline moves with deadlineReason)");

        group.MapPost("/issue", async (IssueRequest request, FindingService service, HttpContext http, CancellationToken ct) =>
        {
            var issued = await service.IssueAsync(request.Ids ?? [], http.Actor(), ct);
            return new { issued = issued.Select(f => f.Id).ToList() };
        }).RequireAuthorization(Policies.Auditor).WithSummary("Issue draft findings to their units (starts their workflows)");

        group.MapPost("/{id:int}/issue", async (int id, FindingService service, HttpContext http, CancellationToken ct) =>
        {
            await service.IssueAsync([id], http.Actor(), ct);
            return ToDto(await service.GetAsync(id, http.Actor(), ct), http.Actor());
        }).RequireAuthorization(Policies.Auditor).WithSummary("Issue one draft finding");

        group.MapPost("/{id:int}/reports", async (int id, [FromForm] string? measures, [FromForm] bool? isFullyRectified,
            [FromForm] string? links, IFormCollection body, IFormFileCollection files, ReportService reports,
            HttpContext http, CancellationToken ct) =>
        {
            // "links" may repeat, and each value may hold several links, one per line.
            var form = new ReportForm(measures ?? "", isFullyRectified ?? true,
                body["links"].SelectMany(l => (l ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                body["keepEvidence"].Select(k => Guid.TryParse(k, out var g) ? g : throw RectifyException.Invalid("evidence.keep_unknown",
                    "要保留的佐证材料编号无效。", "An evidence id to keep is not valid.")).ToList());
            var uploads = files.Select(f => new EvidenceUpload(f.FileName, f.Length, f.OpenReadStream)).ToList();
            var report = await reports.SubmitAsync(id, form, uploads, http.Actor(), ct);
            return TypedResults.Created($"/api/findings/{id}", ToDto(report));
        }).RequireAuthorization(Policies.Liaison).WithSummary("Submit a rectification report with evidence files (multipart; antiforgery token in X-XSRF-TOKEN); keepEvidence repeats the ids of a returned or withdrawn report's evidence to carry over")
            .WithMetadata(new RequestSizeLimitAttribute(app.ServiceProvider.GetRequiredService<IOptions<EvidenceOptions>>().Value.UploadBytes));

        group.MapPost("/{id:int}/reports/{reportId:int}/review", async (int id, int reportId, ReviewRequest request,
            FindingLifecycle lifecycle, HttpContext http, CancellationToken ct) =>
            ToDto(await lifecycle.ReviewAsync(id, reportId, request.Accept, request.Comment ?? "", http.Actor(), request.Accept ? null : request.ReturnDeadline, ct)))
            .RequireAuthorization(Policies.Auditor)
            .WithSummary("Accept a report, or return it with a comment and a new deadline (the later of the current one and the workflow's working days from today, or a later one given)");

        group.MapPost("/{id:int}/extensions", async (int id, ExtensionRequestBody request, FindingLifecycle lifecycle,
            HttpContext http, CancellationToken ct) =>
            ToDto(await lifecycle.RequestExtensionAsync(id, request.NewDeadline, request.Reason ?? "", http.Actor(), ct)))
            .RequireAuthorization(Policies.Liaison).WithSummary("Request a later deadline");

        group.MapPost("/{id:int}/extensions/{requestId:int}/decision", async (int id, int requestId, ExtensionDecisionBody request,
            FindingLifecycle lifecycle, HttpContext http, CancellationToken ct) =>
            ToDto(await lifecycle.DecideExtensionAsync(id, requestId, request.Approve, request.Comment ?? "", http.Actor(), request.GrantedDeadline, ct)))
            .RequireAuthorization(Policies.Auditor)
            .WithSummary("Approve (moves the deadline to the requested date, or to grantedDeadline with a reason in comment) or deny an extension request");

        group.MapPost("/{id:int}/reports/{reportId:int}/withdraw", async (int id, int reportId, FindingLifecycle lifecycle, HttpContext http, CancellationToken ct) =>
            ToDto(await lifecycle.WithdrawReportAsync(id, reportId, http.Actor(), ct)))
            .RequireAuthorization(Policies.Liaison).WithSummary("Withdraw the unit's report before it is reviewed (the workflow waits for a report again)");

        group.MapGet("/{id:int}/comments", async (int id, CommentService comments, HttpContext http, CancellationToken ct) =>
            (await comments.ListAsync(id, http.Actor(), ct)).Select(ToDto).ToList())
            .WithSummary("The finding's comments between the auditors and the unit, oldest first");

        group.MapPost("/{id:int}/comments", async (int id, CommentBody body, CommentService comments, HttpContext http, CancellationToken ct) =>
        {
            var comment = await comments.AddAsync(id, body.Body ?? "", http.Actor(), ct);
            return TypedResults.Created($"/api/findings/{id}/comments", ToDto(comment));
        }).WithSummary("Comment on a finding (auditors, or the unit's liaison); the other side is mailed in a digest");

        group.MapGet("/export.xlsx", async ([AsParameters] FindingQuery q, FindingSheets sheets, HttpContext http, CancellationToken ct) =>
            Results.File(await sheets.LedgerAsync(http.Actor(), q.ToFilter(), ct), NoticesApi.Xlsx, "整改台账（筛选结果）.xlsx"))
            .RequireAuthorization(Policies.Staff).WithSummary("The ledger .xlsx of exactly the findings the list's filter selects (every page)");

        // Bulk actions answer one line per finding (done, or refused with code and reason): each finding is its own transaction.
        var bulk = group.MapGroup("/bulk").RequireAuthorization(Policies.Auditor);
        bulk.MapPost("/accept", async ([AsParameters] FindingQuery q, BulkRequest request, FindingBulk findings, FindingService list, HttpContext http, CancellationToken ct) =>
            await findings.ReviewAsync(await SelectedAsync(q, request, list, http, ct), true, request.Comment ?? "", http.Actor(), ct))
            .WithSummary("Accept the pending report of each selected finding (with one optional comment)");
        bulk.MapPost("/return", async ([AsParameters] FindingQuery q, BulkRequest request, FindingBulk findings, FindingService list, HttpContext http, CancellationToken ct) =>
            await findings.ReviewAsync(await SelectedAsync(q, request, list, http, ct), false, request.Comment ?? "", http.Actor(), ct))
            .WithSummary("Return the pending report of each selected finding with one comment (each gets the deadline a single return gives)");
        bulk.MapPost("/remind", async ([AsParameters] FindingQuery q, BulkRequest request, FindingBulk findings, FindingService list, HttpContext http, CancellationToken ct) =>
            await findings.RemindAsync(await SelectedAsync(q, request, list, http, ct), http.Actor(), ct))
            .WithSummary("一键催办: mail each selected open finding's unit now (one mail per unit; once a day per finding)");
        bulk.MapPost("/deadline", async ([AsParameters] FindingQuery q, BulkRequest request, FindingBulk findings, FindingService list, HttpContext http, CancellationToken ct) =>
            await findings.MoveDeadlinesAsync(await SelectedAsync(q, request, list, http, ct), request.Deadline, request.Reason ?? "", http.Actor(), ct))
            .WithSummary("Move the deadline of each selected issued finding to one date, with a reason");

        return app;
    }

    private static async Task<IReadOnlyCollection<int>> SelectedAsync(FindingQuery q, BulkRequest request, FindingService list, HttpContext http, CancellationToken ct) =>
        request.All ? await list.IdsAsync(q.ToFilter(), http.Actor(), ct) : request.Ids ?? [];

    /// <summary>Query string of the finding list.</summary>
    public sealed record FindingQuery(
        int? UnitId, FindingStatus? Status, int? CategoryId, int? InspectionId, bool? Overdue,
        DateOnly? DeadlineFrom, DateOnly? DeadlineTo, string? Q, string? Sort, int? Page, int? PageSize)
    {
        public FindingFilter ToFilter() => new()
        {
            UnitId = UnitId, Status = Status, CategoryId = CategoryId, InspectionId = InspectionId, Overdue = Overdue,
            DeadlineFrom = DeadlineFrom, DeadlineTo = DeadlineTo, Text = Q, Sort = Sort, Page = Page ?? 1, PageSize = PageSize ?? 20,
        };
    }

    /// <summary>A finding as <paramref name="viewer"/> may see it: the raw changes of its history go to supervisors only.</summary>
    public static FindingDto ToDto(FindingDetail d, Actor viewer)
    {
        var f = d.Finding;
        return new FindingDto(f.Id, f.InspectionId, f.Inspection?.Title ?? "", f.UnitId, f.Unit?.Name ?? "", f.CategoryId,
            f.Category?.Name ?? "", f.Location, f.Description, f.Requirement, f.Severity, f.Deadline, d.DaysLeft, f.Status,
            f.IsOverdue, f.QueuedForFollowUp, f.Version, f.CreatedAt, f.UpdatedAt,
            f.Reports.Select(ToDto).ToList(), f.ExtensionRequests.Select(ToDto).ToList(), d.History.Select(a => ToDto(a, viewer)).ToList());
    }

    public static ReportDto ToDto(RectificationReport r) => new(r.Id, r.Measures, r.IsFullyRectified, r.LinkList.ToList(),
        r.SubmittedByName, r.SubmittedAt, r.SubmittedOnTime, r.Decision, r.ReviewComment, r.ReviewedByName, r.ReviewedAt,
        r.Evidence.Select(e => new EvidenceDto(e.Id, e.FileName, e.ContentType, e.Size, e.Sha256, $"/api/evidence/{e.Id}")).ToList());

    public static ExtensionDto ToDto(ExtensionRequest x) => new(x.Id, x.CurrentDeadline, x.RequestedDeadline, x.Reason,
        x.RequestedByName, x.RequestedAt, x.Decision, x.DecisionComment, x.DecidedByName, x.DecidedAt, x.GrantedDeadline);

    public static CommentDto ToDto(FindingComment c) => new(c.Id, c.Body, c.AuthorName, c.FromUnit, c.CreatedAt);

    /// <summary>An audit entry; its raw before/after values (field names, codes, ids) only for a supervisor, as on the page.</summary>
    public static HistoryDto ToDto(AuditEvent a, Actor viewer) => viewer.IsSupervisor
        ? new(a.Id, a.At, a.ActorId, a.ActorName, a.Action, a.EntityType, a.EntityId, a.Before, a.After)
        : new(a.Id, a.At, a.ActorId, a.ActorName, a.Action, a.EntityType, a.EntityId, null, null);
}
