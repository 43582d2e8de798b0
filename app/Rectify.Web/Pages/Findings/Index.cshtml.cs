using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Common;
using Rectify.Findings;
using Rectify.Web.Auth;
using Rectify.Web.Pages.Shared;

namespace Rectify.Web.Pages.Findings;

/// <summary>The ledger (台账): every finding the office staff may see, filtered and paged.</summary>
[Authorize(Policy = Policies.Staff)]
public class IndexModel(FindingService findings, FindingChoices choices, ActorContext actor) : PageModel
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

    public Page<FindingRow> Result { get; private set; } = null!;
    public List<Lookups.Option> Units { get; private set; } = [];
    public List<Lookups.Option> Categories { get; private set; } = [];
    public List<Lookups.Option> Inspections { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Result = await findings.SearchAsync(new FindingFilter
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
        }, actor.Actor, ct);
        Units = await Lookups.UnitsAsync(choices, actor.Actor, ct);
        Categories = await Lookups.CategoriesAsync(choices, actor.Actor, ct);
        Inspections = await Lookups.InspectionsAsync(choices, actor.Actor, ct);
    }

    /// <summary>The current filters with another page number, for the pager links.</summary>
    public string PageUrl(int page)
    {
        var query = Request.Query.Where(kv => kv.Key != "p").SelectMany(kv => kv.Value.Select(v => (kv.Key, v)))
            .Append(("p", page.ToString()));
        return "/findings" + QueryString.Create(query.Select(p => new KeyValuePair<string, string?>(p.Item1, p.Item2)));
    }
}
