using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Captures;
using Rectify.Comments;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Time;
using Rectify.Web.Findings;
using Rectify.Web.Localization;
using Rectify.Web.Pages.Shared;
using Rectify.Workflows.Runtime;
using System.Globalization;

namespace Rectify.Web.Pages.Findings;

/// <summary>
/// One finding: its fields, reports with evidence, extension requests and full history, and the actions the
/// viewer's role allows (review, decide an extension, issue, edit; or, for the unit, report and ask for more time).
/// A refused action shows its message beside the form it came from and keeps what was typed.
/// </summary>
[Authorize]
public class DetailsModel(FindingService findings, FindingLifecycle lifecycle, FindingDeadline deadlines, ReportService reports, WorkflowTimeline timeline,
    LinkCaptureService captures, RectifyDb db, ActorContext actorContext, OfficeClock clock, CommentService comments, EvidenceDrafts drafts)
    : PageModel
{
    public FindingDetail Detail { get; private set; } = null!;
    /// <summary>The finding's workflow run (整改流程), null for a draft that has none yet.</summary>
    public FindingWorkflowTimeline? Workflow { get; private set; }
    /// <summary>The fetches of the finding's cited links (captures at submission, re-checks for notices), oldest first.</summary>
    public IReadOnlyList<CaptureView> Captures { get; private set; } = [];
    /// <summary>The history in words, oldest first; the raw changes inside are shown to supervisors only.</summary>
    public IReadOnlyList<HistoryEntry> History { get; private set; } = [];
    public Actor Actor => actorContext.Actor;

    /// <summary>A report's cited links, each with its fetches.</summary>
    public IEnumerable<(string Link, IReadOnlyList<CaptureView> Fetches)> LinksOf(Rectify.Reports.RectificationReport report) =>
        LinkCaptureService.CitedLinks(report).Concat(report.LinkList).Distinct(StringComparer.Ordinal)
            .Select(link => (link, (IReadOnlyList<CaptureView>)Captures.Where(c => c.Capture.ReportId == report.Id && c.Capture.Url == link).ToList()));
    public OfficeClock Clock => clock;

    /// <summary>Which form a refusal belongs to (review, extension-decision, report, extension, issue) and its message.</summary>
    public string? ErrorForm { get; private set; }
    public string? Error { get; private set; }
    /// <summary>The refusal message when it belongs to <paramref name="form"/>, shown beside that form.</summary>
    public string? ErrorFor(string form) => ErrorForm == form ? Error : null;
    /// <summary>The field of the report form a refusal is about (Measures, FullyRectified, Links, files), shown beside it.</summary>
    public string? ErrorField { get; private set; }
    /// <summary>The refusal message when it is about <paramref name="field"/> of the report form.</summary>
    public string? FieldError(string field) => ErrorForm == "report" && ErrorField == field ? Error : null;
    [TempData] public string? Done { get; set; }

    // What the forms post; kept on refusal so nothing typed is lost.
    [BindProperty] public string Measures { get; set; } = "";
    /// <summary>Null until the liaison chooses: nothing is pre-ticked.</summary>
    [BindProperty] public bool? FullyRectified { get; set; }
    [BindProperty] public string Links { get; set; } = "";
    /// <summary>Files stored by an earlier attempt of this form that came back with an error (protected tokens, see <see cref="EvidenceDrafts"/>).</summary>
    [BindProperty] public List<string> DraftEvidence { get; set; } = [];
    /// <summary>Evidence of the returned or withdrawn report carried over into the resubmission.</summary>
    [BindProperty] public List<Guid> KeepEvidence { get; set; } = [];
    /// <summary>With an approval: a date other than the requested one (the comment gives the reason).</summary>
    [BindProperty] public DateOnly? GrantedDeadline { get; set; }
    [BindProperty] public string CommentText { get; set; } = "";
    [BindProperty] public DateOnly? NewDeadline { get; set; }
    [BindProperty] public string Reason { get; set; } = "";
    [BindProperty] public string Comment { get; set; } = "";
    /// <summary>The deadline an auditor gives with a return; never earlier than <see cref="ProposedReturnDeadline"/>.</summary>
    [BindProperty] public DateOnly? ReturnDeadline { get; set; }

    /// <summary>What a return made now gives: the later of the deadline and today plus the workflow's working days.</summary>
    public DateOnly? ProposedReturnDeadline { get; private set; }
    /// <summary>Evidence the report form offers as already there (checked: kept; unchecked: left out).</summary>
    public List<OfferedEvidence> Offered { get; } = [];
    public IReadOnlyList<FindingComment> Comments { get; private set; } = [];
    /// <summary>The pending report the unit may still withdraw (its workflow waits for that), else null.</summary>
    public RectificationReport? Withdrawable { get; private set; }
    /// <summary>For a draft: its deadline is too close for the first reminder (shown before issuing).</summary>
    public string? IssueWarning { get; private set; }
    public RemainingTime Remaining => deadlines.Remaining(deadlines.Effective(Detail.Finding));
    public FindingDeadline Deadlines => deadlines;

    public bool CanReview => Actor.IsAuditor && Detail.PendingReport is not null && Detail.Finding.Status == FindingStatus.Submitted && Actor.UnitId != Detail.Finding.UnitId;
    public bool CanDecideExtension => Actor.IsAuditor && Detail.PendingExtension is not null && Actor.UnitId != Detail.Finding.UnitId;
    public bool CanReport => Actor.IsLiaison && Detail.Finding.Status is FindingStatus.Assigned or FindingStatus.Returned;
    public bool CanRequestExtension => Actor.IsLiaison && Detail.Finding.Status is FindingStatus.Assigned or FindingStatus.Returned && Detail.PendingExtension is null;
    public bool CanComment => CommentService.CanComment(Detail.Finding, Actor);
    public bool CanEdit => Actor.IsAuditor && Detail.Finding.Status is FindingStatus.Draft or FindingStatus.Assigned or FindingStatus.Returned;
    public bool CanIssue => Actor.IsAuditor && Detail.Finding.Status == FindingStatus.Draft;

    public string Local(DateTimeOffset instant) => clock.ToLocal(instant).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    /// <summary>An instant in words in the office's zone: 12月8日 10:12.</summary>
    public string Words(DateTimeOffset instant) => Display.DayTime(clock.ToLocal(instant));

    /// <summary>404 (from the service, rendered by the error handler) when the viewer may not see the finding.</summary>
    public async Task OnGetAsync(int id, CancellationToken ct) => await LoadAsync(id, ct);

    public Task<IActionResult> OnPostReviewAsync(int id, int reportId, bool accept, CancellationToken ct) =>
        ActAsync(id, accept ? "review" : "return", () => lifecycle.ReviewAsync(id, reportId, accept, Comment ?? "", Actor, accept ? null : ReturnDeadline, ct),
            accept ? Lang.T("已通过整改报告。", "Report accepted.") : Lang.T("已退回整改报告。", "Report returned."), ct);

    public Task<IActionResult> OnPostDecideExtensionAsync(int id, int requestId, bool approve, CancellationToken ct) =>
        ActAsync(id, "extension-decision", () => lifecycle.DecideExtensionAsync(id, requestId, approve, Comment ?? "", Actor, approve ? GrantedDeadline : null, ct),
            approve ? Lang.T("已批准延期。", "Extension approved.") : Lang.T("已驳回延期申请。", "Extension denied."), ct);

    public Task<IActionResult> OnPostWithdrawAsync(int id, int reportId, CancellationToken ct) =>
        ActAsync(id, "withdraw", () => lifecycle.WithdrawReportAsync(id, reportId, Actor, ct),
            Lang.T("已撤回整改报告，可修改后重新提交。", "Report withdrawn; change it and submit again."), ct);

    public async Task<IActionResult> OnPostCommentAsync(int id, CancellationToken ct)
    {
        var result = await ActAsync(id, "comment", () => comments.AddAsync(id, CommentText ?? "", Actor, ct), Lang.T("留言已发送。", "Comment sent."), ct);
        return result is RedirectResult ? Redirect($"/findings/{id}#comments") : result;
    }

    public Task<IActionResult> OnPostIssueAsync(int id, CancellationToken ct) =>
        ActAsync(id, "issue", () => findings.IssueAsync([id], Actor, ct), Lang.T("已下发至责任单位。", "Issued to the unit."), ct);

    public Task<IActionResult> OnPostExtensionAsync(int id, CancellationToken ct)
    {
        if (NewDeadline is not { } date)
            return RefuseAsync(id, "extension", Lang.T("请选择新的整改期限。", "Choose the new deadline."), ct);
        return ActAsync(id, "extension", () => lifecycle.RequestExtensionAsync(id, date, Reason ?? "", Actor, ct),
            Lang.T("延期申请已提交。", "Extension requested."), ct);
    }

    /// <summary>
    /// Stores the new files first, so that after any refusal they are offered again as kept (with what was typed and
    /// chosen) instead of having to be chosen anew; the message goes beside the field it is about.
    /// </summary>
    public async Task<IActionResult> OnPostReportAsync(int id, List<IFormFile> files, CancellationToken ct)
    {
        // A draft keeps its first token: its expiry follows the file's age, which the orphan sweep goes by.
        var earlier = DraftEvidence.Select(t => (Token: t, File: drafts.Unprotect(t, id, Actor.Id))).Where(d => d.File is not null).ToList();
        var uploads = await reports.StoreAsync(id, files.Where(f => f.Length > 0 || f.FileName.Length > 0)
            .Select(f => new EvidenceUpload(f.FileName, f.Length, f.OpenReadStream)).ToList(), Actor, ct);
        List<StoredEvidence> kept = [.. earlier.Select(d => d.File!), .. uploads.Stored];
        DraftEvidence = [.. earlier.Select(d => d.Token), .. uploads.Stored.Select(e => drafts.Protect(id, Actor.Id, e))];
        if (uploads.Refused is { } refused)
            return await RefuseAsync(id, "report", refused.Message(), ct, "files");
        if (FullyRectified is not { } fully)
            return await RefuseAsync(id, "report", Lang.T("请选择整改完成情况。", "Choose whether the finding is fully rectified."), ct, nameof(FullyRectified));
        var form = new ReportForm(Measures ?? "", fully, (Links ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), KeepEvidence);
        return await ActAsync(id, "report", () => reports.SubmitStoredAsync(id, form, kept, Actor, ct),
            Lang.T("整改报告已提交，等待审核。", "Report submitted for review."), ct);
    }

    private async Task<IActionResult> ActAsync<T>(int id, string form, Func<Task<T>> action, string done, CancellationToken ct)
    {
        try
        {
            await action();
        }
        // Not found and forbidden go to the error handler (404/403 page); the rest is shown beside the form.
        catch (RectifyException e) when (e.Kind is RectifyErrorKind.Invalid or RectifyErrorKind.Conflict)
        {
            return await RefuseAsync(id, form, e.Message(), ct, FieldOf(e.Code));
        }
        Done = done;
        return Redirect($"/findings/{id}");
    }

    /// <summary>The report form's field an error code is about, so that the message stands beside it.</summary>
    private static string? FieldOf(string code) => code switch
    {
        "report.measures_required" => nameof(Measures),
        "report.link_invalid" => nameof(Links),
        _ when code.StartsWith("evidence.", StringComparison.Ordinal) => "files",
        _ => null,
    };

    private async Task<IActionResult> RefuseAsync(int id, string form, string message, CancellationToken ct, string? field = null)
    {
        ErrorForm = form;
        Error = message;
        ErrorField = field;
        await LoadAsync(id, ct);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task LoadAsync(int id, CancellationToken ct)
    {
        Detail = await findings.GetAsync(id, Actor, ct);
        History = (await HistoryWords.CreateAsync(clock, db, Detail.History, ct)).Describe(Detail.History);
        // Only after the visibility check above: the timeline service leaves that to its caller.
        Workflow = await timeline.ForFindingAsync(id, ct);
        Captures = await captures.ForFindingAsync(id, Actor, ct);
        if (CanReview)
        {
            ProposedReturnDeadline = await deadlines.ProposedOnReturnAsync(Detail.Finding, ct);
            ReturnDeadline ??= ProposedReturnDeadline;
        }
        if (CanIssue && await deadlines.ShortNoticeWarningAsync(Detail.Finding, ct) is { } warning)
            IssueWarning = Lang.T(warning.Message, warning.MessageEn);
        Comments = await comments.ListAsync(id, Actor, ct);
        if (Actor.IsLiaison && Detail.PendingReport is { } pending && Detail.Finding.Status == FindingStatus.Submitted
            && await lifecycle.WithdrawalWaitedForAsync(id, ct))
            Withdrawable = pending;
        if (CanReport)
            OfferEvidence();
    }

    /// <summary>
    /// What the report form shows as already there: the evidence of the report last returned or withdrawn (a first
    /// view pre-fills the resubmission with its text too; after an error, what was ticked stays ticked), then the
    /// files stored by an attempt that came back with an error.
    /// </summary>
    private void OfferEvidence()
    {
        var earlier = Detail.Finding.Reports.OrderByDescending(r => r.SubmittedAt).ThenByDescending(r => r.Id).FirstOrDefault();
        var posted = HttpMethods.IsPost(Request.Method);
        if (earlier is { Decision: ReviewDecision.Returned or ReviewDecision.Withdrawn })
        {
            if (!posted)
            {
                Measures = earlier.Measures;
                Links = earlier.Links;
            }
            Offered.AddRange(earlier.Evidence.Select(e => new OfferedEvidence(nameof(KeepEvidence), e.Id.ToString(), e.FileName, e.Size,
                !posted || KeepEvidence.Contains(e.Id), e.Id)));
        }
        foreach (var token in DraftEvidence)
        {
            if (drafts.Unprotect(token, Detail.Finding.Id, Actor.Id) is { } file)
                Offered.Add(new OfferedEvidence(nameof(DraftEvidence), token, file.FileName, file.Size, true, null));
        }
    }
}

/// <summary>
/// A file the report form lists as already there: <paramref name="Field"/> is the form field that keeps it
/// (KeepEvidence with an earlier report's evidence id, DraftEvidence with a protected token); <paramref name="EvidenceId"/>
/// lets an earlier report's file be viewed.
/// </summary>
public sealed record OfferedEvidence(string Field, string Value, string FileName, long Size, bool Checked, Guid? EvidenceId);
