using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Common;
using Rectify.Findings;
using Rectify.Web.Auth;

namespace Rectify.Web.Pages;

/// <summary>A liaison's own findings, nearest deadline first, with days left; open ones by default.</summary>
[Authorize(Policy = Policies.Liaison)]
public class MyModel(FindingService findings, ActorContext actor) : PageModel
{
    [BindProperty(SupportsGet = true)] public FindingStatus? Status { get; set; }
    [BindProperty(SupportsGet = true)] public bool? Overdue { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    public Page<FindingRow> Result { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) =>
        Result = await findings.SearchAsync(new FindingFilter
        {
            Status = Status,
            Overdue = Overdue,
            Sort = "deadline",
            Page = PageNumber,
            PageSize = 50,
        }, actor.Actor, ct);
}
