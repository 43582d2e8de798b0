using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Units;
using Rectify.Web.Auth;

namespace Rectify.Web.Pages.Units;

/// <summary>The units and their leader and liaison contacts (责任人联系表).</summary>
[Authorize(Policy = Policies.Supervisor)]
public class IndexModel(UnitService units, ActorContext actor) : PageModel
{
    public IReadOnlyList<Unit> Units { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Units = await units.ListAsync(actor.Actor, includeInactive: true, ct);
}
