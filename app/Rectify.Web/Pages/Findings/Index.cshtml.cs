using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Common;
using Rectify.Findings;
using Rectify.Notices.Spreadsheets;
using Rectify.Web.Auth;
using Rectify.Web.Localization;
using Rectify.Web.Notices;
using Rectify.Web.Pages.Shared;
using System.Globalization;

namespace Rectify.Web.Pages.Findings;

/// <summary>
/// The ledger (台账): every finding the office staff may see, filtered and paged. Auditors select rows (or everything
/// on the filter) for a bulk action; its answer — done and refused per finding, with the reason — is shown above the
/// list, which is then reloaded. The export gives exactly the filtered rows.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public class IndexModel(FindingService findings, FindingBulk bulk, FindingSheets sheets, FindingChoices choices, ActorContext actor) : PageModel
{
    [BindProperty(SupportsGet = true)] public int? Unit { get; set; }
    [BindProperty(SupportsGet = true)] public FindingStatus? Status { get; set; }
    [BindProperty(SupportsGet = true)] public int? Category { get; set; }
    [BindProperty(SupportsGet = true)] public int? Inspection { get; set; }
    [BindProperty(SupportsGet = true)] public bool? Overdue { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    /// <summary>Page number, as "p" (Razor Pages owns the "page" route value).</summary>
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    // The bulk form: the selected rows or everything on the filter, and what the chosen action needs.
    [BindProperty] public List<int> Ids { get; set; } = [];
    [BindProperty] public bool All { get; set; }
    [BindProperty] public string BulkComment { get; set; } = "";
    [BindProperty] public DateOnly? BulkDeadline { get; set; }
    [BindProperty] public string BulkReason { get; set; } = "";

    /// <summary>What the last bulk action did (null when none was posted), and its name.</summary>
    public BulkResult? Bulk { get; private set; }
    public string BulkAction { get; private set; } = "";
    /// <summary>A refusal of the whole bulk request (nothing selected, no comment, …), shown beside the bulk form.</summary>
    public string? BulkError { get; private set; }

    public Page<FindingRow> Result { get; private set; } = null!;
    public List<Lookups.Option> Units { get; private set; } = [];
    public List<Lookups.Option> Categories { get; private set; } = [];
    public List<Lookups.Option> Inspections { get; private set; } = [];

    private FindingFilter Filter => new()
    {
        UnitId = Unit,
        Status = Status,
        CategoryId = Category,
        InspectionId = Inspection,
        Overdue = Overdue,
        DeadlineFrom = From,
        DeadlineTo = To,
        Text = Q,
        Page = PageNumber,
        PageSize = 20,
    };

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct) =>
        File(await sheets.LedgerAsync(actor.Actor, Filter, ct), NoticesApi.Xlsx, "整改台账（筛选结果）.xlsx");

    public Task<IActionResult> OnPostAcceptAsync(CancellationToken ct) =>
        BulkAsync(Lang.T("批量通过整改报告", "Accept reports"), async ids => await bulk.ReviewAsync(ids, true, BulkComment ?? "", actor.Actor, ct), ct);

    public Task<IActionResult> OnPostReturnAsync(CancellationToken ct) =>
        BulkAsync(Lang.T("批量退回整改报告", "Return reports"), async ids => await bulk.ReviewAsync(ids, false, BulkComment ?? "", actor.Actor, ct), ct);

    public Task<IActionResult> OnPostRemindAsync(CancellationToken ct) =>
        BulkAsync(Lang.T("一键催办", "Remind now"), async ids => await bulk.RemindAsync(ids, actor.Actor, ct), ct);

    public Task<IActionResult> OnPostDeadlineAsync(CancellationToken ct) =>
        BulkAsync(Lang.T("批量调整整改期限", "Move deadlines"), async ids => await bulk.MoveDeadlinesAsync(ids, BulkDeadline, BulkReason ?? "", actor.Actor, ct), ct);

    private async Task<IActionResult> BulkAsync(string name, Func<IReadOnlyCollection<int>, Task<BulkResult>> action, CancellationToken ct)
    {
        BulkAction = name;
        try
        {
            Bulk = await action(All ? await findings.IdsAsync(Filter, actor.Actor, ct) : Ids);
        }
        // Forbidden goes to the error handler (403 page); a refusal of the whole request is shown beside the form.
        catch (RectifyException e) when (e.Kind is RectifyErrorKind.Invalid or RectifyErrorKind.Conflict)
        {
            BulkError = e.Message();
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Result = await findings.SearchAsync(Filter, actor.Actor, ct);
        Units = await Lookups.UnitsAsync(choices, actor.Actor, ct);
        Categories = await Lookups.CategoriesAsync(choices, actor.Actor, ct);
        Inspections = await Lookups.InspectionsAsync(choices, actor.Actor, ct);
    }

    /// <summary>The current filters with another page number, for the pager links.</summary>
    public string PageUrl(int page) => QueryWith("p", page.ToString(CultureInfo.InvariantCulture));

    /// <summary>The current filters with a page handler, for the bulk buttons and the export.</summary>
    public string HandlerUrl(string handler) => QueryWith("handler", handler);

    private string QueryWith(string key, string value)
    {
        var query = Request.Query.Where(kv => kv.Key != key && kv.Key != "handler").SelectMany(kv => kv.Value.Select(v => (kv.Key, v)))
            .Append((key, value));
        return "/findings" + QueryString.Create(query.Select(p => new KeyValuePair<string, string?>(p.Item1, p.Item2)));
    }
}
