using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Captures;
using Rectify.Inspections;
using Rectify.Notices;
using Rectify.Time;
using Rectify.Web.Pages.Shared;
using System.Globalization;

namespace Rectify.Web.Pages.Notices;

/// <summary>
/// One notice: a draft is edited beside its live preview and issued after a confirmation; an issued notice shows
/// its frozen text, its exports, and a way to start a correction.
/// </summary>
public class EditModel(NoticeService notices, InspectionService inspections, LinkCaptureService captures, ActorContext actor, OfficeClock clock, NoticePdf pdf) : PageModel
{
    /// <summary>The PDF is offered only where LibreOffice is installed.</summary>
    public bool PdfAvailable => pdf.IsAvailable;
    public Notice Notice { get; private set; } = null!;
    public NoticeContent Composed { get; private set; } = null!;
    public string BodyHtml { get; private set; } = "";
    public IReadOnlyList<InspectionRow> Inspections { get; private set; } = [];
    public string? Error { get; private set; }
    /// <summary>The itemised reasons of a refusal (what changed since the preview).</summary>
    public IReadOnlyList<string> ErrorDetails { get; private set; } = [];
    /// <summary>For a draft: what changed in the data since its preview was composed.</summary>
    public IReadOnlyList<string> Changes { get; private set; } = [];
    public string? Done { get; private set; }
    /// <summary>For a draft: per new finding, a past deadline (issuing will be refused) or one too short for the first reminder.</summary>
    public IReadOnlyList<string> IssueWarnings { get; private set; } = [];

    [BindProperty] public string Title { get; set; } = "";
    [BindProperty] public string Number { get; set; } = "";
    [BindProperty] public string Office { get; set; } = "";
    [BindProperty] public string Addressees { get; set; } = "";
    [BindProperty] public DateOnly? Date { get; set; }
    [BindProperty] public DateOnly? PeriodStart { get; set; }
    [BindProperty] public DateOnly? PeriodEnd { get; set; }
    [BindProperty] public List<int> InspectionIds { get; set; } = [];
    [BindProperty] public string? Introduction { get; set; }
    [BindProperty] public string? Requirements { get; set; }
    [BindProperty] public string? Attachments { get; set; }
    [BindProperty] public string? ContactLine { get; set; }

    /// <summary>For a draft: the re-checks of the links of findings accepted since the previous notice.</summary>
    public IReadOnlyList<RecheckRow> Rechecks { get; private set; } = [];

    public string Local(DateTimeOffset instant) => clock.ToLocal(instant).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public string IssuedAtText => Notice.IssuedAt is { } at ? clock.ToLocal(at).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
    public string CutOffText => Notice.CutOff is { } at ? clock.ToLocal(at).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
    public bool CanEdit => actor.Actor.IsAuditor && !Notice.IsIssued;
    public bool CanCorrect => actor.Actor.IsAuditor && Notice.IsIssued;

    public async Task OnGetAsync(int id, string? done, CancellationToken ct)
    {
        Done = done switch
        {
            "saved" => Localization.Lang.T("已保存，并按当前数据重新生成了预览。", "Saved; the preview was composed again from the current data."),
            "recomposed" => Localization.Lang.T("已按当前数据重新生成预览，请核对后印发。", "Composed again from the current data; check it, then issue."),
            "rebound" => Localization.Lang.T("已将该问题作为整改反弹列入回头看，并重新生成了预览。", "Added to the follow-up as a rebound; the preview was composed again."),
            "issued" => Localization.Lang.T("通报已印发：已冻结内容，启动了新问题的整改流程，并向各单位发送了通报邮件。", "Issued: frozen, workflows started, each unit mailed its part."),
            _ => null,
        };
        await LoadAsync(id, fillForm: true, ct);
    }

    public Task<IActionResult> OnPostSaveAsync(int id, CancellationToken ct) => Act(id, async () =>
    {
        await notices.UpdateDraftAsync(id, Draft(), actor.Actor, ct);
        return Redirect($"/notices/{id}?done=saved");
    }, ct, keepTyped: true);

    public Task<IActionResult> OnPostIssueAsync(int id, CancellationToken ct) => Act(id, async () =>
    {
        await notices.IssueAsync(id, actor.Actor, ct);
        return Redirect($"/notices/{id}?done=issued");
    }, ct);

    public Task<IActionResult> OnPostRecomposeAsync(int id, CancellationToken ct) => Act(id, async () =>
    {
        await notices.RecomposeAsync(id, actor.Actor, ct);
        return Redirect($"/notices/{id}?done=recomposed");
    }, ct);

    /// <summary>Puts a re-check's finding into the follow-up (回头看) as 整改反弹 and composes the preview again.</summary>
    public Task<IActionResult> OnPostReboundAsync(int id, int recheckId, CancellationToken ct) => Act(id, async () =>
    {
        await notices.AddReboundAsync(id, recheckId, actor.Actor, ct);
        return Redirect($"/notices/{id}?done=rebound#rebounds");
    }, ct);

    public Task<IActionResult> OnPostDeleteAsync(int id, CancellationToken ct) => Act(id, async () =>
    {
        await notices.DeleteDraftAsync(id, actor.Actor, ct);
        return Redirect("/notices");
    }, ct);

    /// <summary>A correction is a new draft with the issued notice's settings that refers to it.</summary>
    public Task<IActionResult> OnPostCorrectAsync(int id, CancellationToken ct) => Act(id, async () =>
    {
        var original = await notices.GetAsync(id, actor.Actor, ct);
        var draft = new NoticeDraft(original.Title, "", original.Office, original.Addressees, original.Date, original.PeriodStart, original.PeriodEnd,
            original.Inspections.Select(i => i.InspectionId).ToList(), original.Introduction, original.Requirements, original.Attachments,
            original.ContactLine, CorrectsNoticeId: original.Id);
        var correction = await notices.CreateDraftAsync(draft, actor.Actor, ct);
        return Redirect($"/notices/{correction.Id}");
    }, ct);

    /// <summary>Runs a handler; a refusal shows the page again with what was typed (a save) or what is stored (the rest).</summary>
    private async Task<IActionResult> Act(int id, Func<Task<IActionResult>> action, CancellationToken ct, bool keepTyped = false)
    {
        try
        {
            return await action();
        }
        catch (RectifyException e) when (e.Kind is RectifyErrorKind.Invalid or RectifyErrorKind.Conflict)
        {
            Error = e.Message();
            ErrorDetails = e.Details;
            await LoadAsync(id, fillForm: !keepTyped, ct);
            Response.StatusCode = e.Kind == RectifyErrorKind.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
    }

    private NoticeDraft Draft() => new(Title ?? "", Number ?? "", Office ?? "", Addressees ?? "", Date ?? default, PeriodStart ?? default,
        PeriodEnd ?? default, InspectionIds, Introduction, Requirements, Attachments, ContactLine, Notice?.CorrectsNoticeId);

    private async Task LoadAsync(int id, bool fillForm, CancellationToken ct)
    {
        Notice = await notices.GetAsync(id, actor.Actor, ct);
        Composed = await notices.ContentAsync(Notice, ct);
        BodyHtml = await notices.BodyHtmlAsync(Notice, ct);
        if (CanEdit && ErrorDetails.Count == 0)
            Changes = await notices.ChangesSincePreviewAsync(Notice, ct);
        if (CanEdit)
            Rechecks = await captures.RechecksAsync(id, ct);
        if (CanEdit)
            IssueWarnings = (await notices.IssueWarningsAsync(Notice, ct)).Select(w => Localization.Lang.T(w.Message, w.MessageEn)).ToList();
        var selected = Notice.Inspections.Select(i => i.InspectionId).ToHashSet();
        if (actor.Actor.IsAuditor || actor.Actor.IsSupervisor)
            Inspections = (await inspections.ListAsync(actor.Actor, ct)).Where(i => i.Unissued > 0 || selected.Contains(i.Id)).ToList();
        if (!fillForm)
            return;
        Title = Notice.Title;
        Number = Notice.Number;
        Office = Notice.Office;
        Addressees = Notice.Addressees;
        Date = Notice.Date;
        PeriodStart = Notice.PeriodStart;
        PeriodEnd = Notice.PeriodEnd;
        InspectionIds = Notice.Inspections.Select(i => i.InspectionId).ToList();
        Introduction = Notice.Introduction;
        Requirements = Notice.Requirements;
        Attachments = Notice.Attachments;
        ContactLine = Notice.ContactLine;
    }
}
