using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Web.Auth;
using Rectify.Workflows;
using Rectify.Workflows.Definitions;

namespace Rectify.Web.Pages.Workflows;

/// <summary>流程设计: the workflow definitions, their versions and how many findings run on each.</summary>
[Authorize(Policy = Policies.Supervisor)]
public class IndexModel(WorkflowDefinitionStore store, RectifyDb db) : PageModel
{
    public sealed record Row(WorkflowDefinitionVersion Latest, IReadOnlyList<WorkflowDefinitionVersion> Versions);

    public IReadOnlyList<Row> Definitions { get; private set; } = [];
    public IReadOnlyDictionary<string, int> FindingsByVersion { get; private set; } = new Dictionary<string, int>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        var rows = new List<Row>();
        foreach (var latest in await store.ListLatestAsync(ct))
            rows.Add(new Row(latest, await store.ListVersionsAsync(latest.DefinitionId, ct)));
        Definitions = rows;
        FindingsByVersion = await db.Set<WorkflowInstance>().AsNoTracking()
            .Where(i => i.FindingId != null)
            .GroupBy(i => i.DefinitionVersionId)
            .Select(g => new { g.Key, Count = g.Select(i => i.FindingId).Distinct().Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
    }

    public int FindingsOn(WorkflowDefinitionVersion version) => FindingsByVersion.GetValueOrDefault(version.Id);
}
