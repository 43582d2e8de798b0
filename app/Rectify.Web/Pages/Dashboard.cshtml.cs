using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Dashboard;

namespace Rectify.Web.Pages;

/// <summary>Every role's home: counts by status and each unit's completion rate (a liaison sees its own unit only).</summary>
[Authorize]
public class DashboardModel(DashboardService dashboard, ActorContext actor) : PageModel
{
    public DashboardView View { get; private set; } = null!;
    public Actor Actor => actor.Actor;

    public async Task OnGetAsync(CancellationToken ct) => View = await dashboard.GetAsync(actor.Actor, ct: ct);
}
