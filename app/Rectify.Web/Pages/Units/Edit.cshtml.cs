using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Units;
using Rectify.Web.Auth;
using Rectify.Web.Pages.Shared;

namespace Rectify.Web.Pages.Units;

/// <summary>Creates or edits a unit: name, parent, kind and its two contacts.</summary>
[Authorize(Policy = Policies.Supervisor)]
public class EditModel(UnitService units, ActorContext actor) : PageModel
{
    public int? Id { get; private set; }
    [BindProperty] public string Name { get; set; } = "";
    [BindProperty] public string Aliases { get; set; } = "";
    [BindProperty] public UnitKind Kind { get; set; }
    [BindProperty] public int? ParentId { get; set; }
    [BindProperty] public int SortOrder { get; set; }
    [BindProperty] public bool IsActive { get; set; } = true;
    [BindProperty] public Contact Leader { get; set; } = new();
    [BindProperty] public Contact Liaison { get; set; } = new();
    public string? Error { get; private set; }
    public IReadOnlyList<Unit> Parents { get; private set; } = [];

    public async Task OnGetAsync(int? id, CancellationToken ct)
    {
        if (id is { } existing)
        {
            var unit = await units.GetAsync(existing, actor.Actor, ct);
            (Id, Name, Aliases, Kind, ParentId, SortOrder, IsActive, Leader, Liaison) =
                (unit.Id, unit.Name, unit.Aliases, unit.Kind, unit.ParentId, unit.SortOrder, unit.IsActive, unit.Leader, unit.Liaison);
        }
        await LoadParentsAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(int? id, CancellationToken ct)
    {
        Id = id;
        var input = new UnitInput
        {
            Name = Name ?? "",
            Aliases = Aliases ?? "",
            Kind = Kind,
            ParentId = ParentId,
            SortOrder = SortOrder,
            IsActive = IsActive,
            Leader = Leader,
            Liaison = Liaison,
        };
        try
        {
            if (id is { } existing)
                await units.UpdateAsync(existing, input, actor.Actor, ct);
            else
                await units.CreateAsync(input, actor.Actor, ct);
            return Redirect("/units");
        }
        catch (RectifyException e) when (e.Kind is RectifyErrorKind.Invalid or RectifyErrorKind.Conflict)
        {
            Error = e.Message();
            await LoadParentsAsync(ct);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
    }

    private async Task LoadParentsAsync(CancellationToken ct) =>
        Parents = (await units.ListAsync(actor.Actor, includeInactive: false, ct)).Where(u => u.Id != Id).ToList();
}
