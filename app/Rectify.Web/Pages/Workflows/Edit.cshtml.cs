using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Web.Auth;
using Rectify.Web.Elsa;
using Rectify.Workflows;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;

namespace Rectify.Web.Pages.Workflows;

/// <summary>The Elsa Studio definition editor for one workflow, talking to /elsa/api with a short-lived designer token.</summary>
[Authorize(Policy = Policies.Supervisor)]
public class EditModel(WorkflowDefinitionStore store, StudioTokens tokens, ActivityRegistry registry) : PageModel
{
    public WorkflowDefinitionVersion Latest { get; private set; } = null!;
    public WorkflowDefinitionVersion? Published { get; private set; }
    public string Token { get; private set; } = "";
    /// <summary>Activity types in the latest version that Rectify does not run: named above the canvas.</summary>
    public IReadOnlyList<string> Unsupported { get; private set; } = [];
    public string RemoteEndpoint => $"{Request.Scheme}://{Request.Host}{Request.PathBase}/elsa/api";

    public async Task<IActionResult> OnGetAsync(string definitionId, CancellationToken ct)
    {
        if (await store.GetAsync(definitionId, VersionOptions.Latest, ct) is not { } latest)
            return NotFound();
        Latest = latest;
        Published = latest.IsPublished ? latest : await store.GetAsync(definitionId, VersionOptions.Published, ct);
        Token = tokens.IssueForDesigner(User);
        Unsupported = DescriptorsApi.Unsupported(registry, [latest.Json], await store.UsableAsActivityAsync(ct)).Select(u => u.Type).ToList();
        return Page();
    }
}
