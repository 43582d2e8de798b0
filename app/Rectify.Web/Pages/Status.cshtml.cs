using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Web.Auth;
using Rectify.Web.Operations;

namespace Rectify.Web.Pages;

/// <summary>运行状态: the figures of /metrics at a glance, for the supervisor (outbox, timers, workflows, imports).</summary>
[Authorize(Policy = Policies.Supervisor)]
public class StatusModel(OperationsStatus status) : PageModel
{
    public OperationsSnapshot Now { get; private set; } = null!;
    public TimeSpan LateAfter => status.LateAfter;

    public async Task OnGetAsync(CancellationToken ct) => Now = await status.ReadAsync(ct);
}
