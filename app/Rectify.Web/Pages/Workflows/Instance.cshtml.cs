using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Web.Auth;
using Rectify.Web.Elsa;
using Rectify.Workflows;

namespace Rectify.Web.Pages.Workflows;

/// <summary>
/// The Elsa Studio instance viewer of one finding's workflow, embedded by the finding page. Anyone who may see the
/// finding may see it (a liaison only its own unit's); the token it gets reads this one instance only.
/// </summary>
public class InstanceModel(InstanceReader instances, RectifyDb db, StudioTokens tokens) : PageModel
{
    public WorkflowInstance Instance { get; private set; } = null!;
    public string Token { get; private set; } = "";
    public bool CanEdit { get; private set; }
    public string RemoteEndpoint => $"{Request.Scheme}://{Request.Host}{Request.PathBase}/elsa/api";

    public async Task<IActionResult> OnGetAsync(string instanceId, CancellationToken ct)
    {
        var actor = User.ToActor();
        if (await instances.FindAsync(instanceId, ct) is not { FindingId: { } findingId } instance
            || !await db.Set<Finding>().VisibleTo(actor).AnyAsync(f => f.Id == findingId, ct))
            return NotFound();
        Instance = instance;
        CanEdit = actor.IsSupervisor;
        Token = tokens.IssueForInstance(User, instance.Id);
        return Page();
    }
}
