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
public class EditModel(FindingService findings, FindingChoices choices, FindingDeadline deadlines, ActorContext actor, OfficeClock clock) : PageModel
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
    /// <summary>A draft's deadline as working days, resolved when it is issued (instead of <see cref="Deadline"/>).</summary>
    [BindProperty] public int? DeadlineWorkingDays { get; set; }
    /// <summary>Required when an issued finding's deadline moves.</summary>
    [BindProperty] public string DeadlineReason { get; set; } = "";
    /// <summary>The finding is issued: its deadline is a date and moves only with a reason.</summary>
    public bool IsIssued { get; private set; }
    /// <summary>For working days: the date the finding would get if issued today.</summary>
    public DateOnly? DateIfIssuedToday => DeadlineWorkingDays is { } days and >= 1 and <= FindingDeadline.MaxWorkingDays ? deadlines.IfIssuedToday(days) : null;
    public string? Warning { get; private set; }
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
            (Id, InspectionId, UnitId, CategoryId, Location, Description, Requirement, Severity, Deadline, DeadlineWorkingDays) =
                (f.Id, f.InspectionId, f.UnitId, f.CategoryId, f.Location, f.Description, f.Requirement, f.Severity, f.Deadline, f.DeadlineWorkingDays);
            IsIssued = f.Status != FindingStatus.Draft;
            if (!IsIssued && await deadlines.ShortNoticeWarningAsync(f, ct) is { } warning)
                Warning = Rectify.Web.Localization.Lang.T(warning.Message, warning.MessageEn);
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
            DeadlineWorkingDays = DeadlineWorkingDays,
            DeadlineReason = DeadlineReason,
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
            if (id is { } existing)
                IsIssued = (await findings.GetAsync(existing, actor.Actor, ct)).Finding.Status != FindingStatus.Draft;
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
