using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Dashboard;
using Rectify.Notices;

namespace Rectify.Web.Pages;

/// <summary>Every role's home: counts by status and each unit's completion rate (a liaison sees its own unit only).</summary>
[Authorize]
public class DashboardModel(DashboardService dashboard, NoticeService notices, ActorContext actor) : PageModel
{
    public DashboardView View { get; private set; } = null!;
    public Actor Actor => actor.Actor;
    /// <summary>Auditors and supervisors also see every unit's rate across issued notices.</summary>
    public string? ChartSvg { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        View = await dashboard.GetAsync(actor.Actor, ct: ct);
        if (!actor.Actor.IsLiaison)
            ChartSvg = CompletionChart.Svg(await notices.CompletionSeriesAsync(ct));
    }
}
