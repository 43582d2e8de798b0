using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Inspections;
using Rectify.Time;
using Rectify.Web.Auth;
using Rectify.Web.Pages.Shared;

namespace Rectify.Web.Pages;

/// <summary>Inspection rounds with their finding counts; auditors record new ones here.</summary>
[Authorize(Policy = Policies.Auditor)]
public class InspectionsModel(InspectionService inspections, ActorContext actor, OfficeClock clock) : PageModel
{
    public IReadOnlyList<InspectionRow> Rows { get; private set; } = [];
    [BindProperty] public string Title { get; set; } = "";
    [BindProperty] public InspectionKind Kind { get; set; } = InspectionKind.MonthlyNotice;
    [BindProperty] public DateOnly? PeriodStart { get; set; }
    [BindProperty] public DateOnly? PeriodEnd { get; set; }
    [BindProperty] public string Office { get; set; } = "";
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        // Default to last month, the period a monthly notice covers.
        var firstOfMonth = new DateOnly(clock.Today.Year, clock.Today.Month, 1);
        PeriodStart = firstOfMonth.AddMonths(-1);
        PeriodEnd = firstOfMonth.AddDays(-1);
        Rows = await inspections.ListAsync(actor.Actor, ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            await inspections.CreateAsync(new InspectionInput(Title ?? "", Kind, PeriodStart ?? default, PeriodEnd ?? default, Office ?? ""), actor.Actor, ct);
            return Redirect("/inspections");
        }
        catch (RectifyException e) when (e.Kind is RectifyErrorKind.Invalid or RectifyErrorKind.Conflict)
        {
            Error = e.Message();
            Rows = await inspections.ListAsync(actor.Actor, ct);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
    }
}
