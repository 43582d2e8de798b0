using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Findings;
using Rectify.Time;
using Rectify.Web.Auth;
using Rectify.Web.Pages.Shared;

namespace Rectify.Web.Pages.Findings;

/// <summary>Records a new finding (as a draft) or edits one that is still a draft or awaiting rectification.</summary>
[Authorize(Policy = Policies.Auditor)]
public class EditModel(FindingService findings, FindingChoices choices, ActorContext actor, OfficeClock clock) : PageModel
{
    public int? Id { get; private set; }
    [BindProperty] public int InspectionId { get; set; }
    [BindProperty] public int UnitId { get; set; }
    [BindProperty] public int CategoryId { get; set; }
    [BindProperty] public string Location { get; set; } = "";
    [BindProperty] public string Description { get; set; } = "";
    [BindProperty] public string Requirement { get; set; } = "";
    [BindProperty] public Severity Severity { get; set; } = Severity.Normal;
    [BindProperty] public DateOnly? Deadline { get; set; }
    /// <summary>Issue straight away instead of keeping a draft.</summary>
    [BindProperty] public bool Issue { get; set; }

    public string? Error { get; private set; }
    public List<Lookups.Option> Units { get; private set; } = [];
    public List<Lookups.Option> Categories { get; private set; } = [];
    public List<Lookups.Option> Inspections { get; private set; } = [];

    public async Task OnGetAsync(int? id, int? inspection, CancellationToken ct)
    {
        if (id is { } existing)
        {
            var f = (await findings.GetAsync(existing, actor.Actor, ct)).Finding;
            (Id, InspectionId, UnitId, CategoryId, Location, Description, Requirement, Severity, Deadline) =
                (f.Id, f.InspectionId, f.UnitId, f.CategoryId, f.Location, f.Description, f.Requirement, f.Severity, f.Deadline);
        }
        else
        {
            InspectionId = inspection ?? 0;
            // Offices usually give a month; the auditor changes it as the notice says.
            Deadline = clock.Today.AddDays(30);
        }
        await LoadListsAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(int? id, CancellationToken ct)
    {
        Id = id;
        var input = new FindingInput
        {
            InspectionId = InspectionId,
            UnitId = UnitId,
            CategoryId = CategoryId,
            Location = Location ?? "",
            Description = Description ?? "",
            Requirement = Requirement ?? "",
            Severity = Severity,
            Deadline = Deadline ?? default,
        };
        try
        {
            var finding = id is { } existing
                ? await findings.UpdateAsync(existing, input, actor.Actor, ct)
                : await findings.CreateAsync(input, actor.Actor, ct);
            if (id is null && Issue)
                await findings.IssueAsync([finding.Id], actor.Actor, ct);
            return Redirect($"/findings/{finding.Id}");
        }
        catch (RectifyException e) when (e.Kind is RectifyErrorKind.Invalid or RectifyErrorKind.Conflict)
        {
            Error = e.Message();
            await LoadListsAsync(ct);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
    }

    private async Task LoadListsAsync(CancellationToken ct)
    {
        Units = await Lookups.UnitsAsync(choices, actor.Actor, ct);
        Categories = await Lookups.CategoriesAsync(choices, actor.Actor, ct);
        Inspections = await Lookups.InspectionsAsync(choices, actor.Actor, ct);
    }
}
