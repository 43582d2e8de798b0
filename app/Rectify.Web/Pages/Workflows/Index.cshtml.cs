using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Time;
using Rectify.Web.Auth;
using Rectify.Web.Elsa;
using Rectify.Web.Localization;
using Rectify.Workflows;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Timers;
using Rectify.Web.Pages.Shared;

namespace Rectify.Web.Pages.Workflows;

/// <summary>
/// 流程设计: the workflow definitions, their versions and how many findings run on each; and, when it is on, the
/// demonstration clock with a form to move it forward.
/// </summary>
[Authorize(Policy = Policies.Supervisor)]
public class IndexModel(WorkflowDefinitionStore store, RectifyDb db, DemoClockControl demoClock, OfficeClock clock) : PageModel
{
    public bool DemoClockEnabled => demoClock.IsEnabled;
    public string DemoNowText => clock.ToLocal(clock.Now).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    public string? DemoClockMessage { get; private set; }
    public string? DemoClockError { get; private set; }

    /// <summary>Office-local date and time to move the demo clock to.</summary>
    [BindProperty] public DateTime? Until { get; set; }

    public async Task<IActionResult> OnPostDemoClockAsync(CancellationToken ct)
    {
        try
        {
            if (Until is not { } local)
                throw RectifyException.Invalid("workflow.demo_clock_until_required", "请选择要调到的时刻。", "Choose the instant to move to.");
            var until = new DateTimeOffset(local, clock.Zone.GetUtcOffset(local));
            var moved = await demoClock.AdvanceAsync(until, ct);
            DemoClockMessage = Localization.Lang.T($"演示时钟已调至 {clock.ToLocal(moved.To):yyyy-MM-dd HH:mm}，途中触发计时器 {moved.TimersFired} 个。",
                $"The demonstration clock now stands at {clock.ToLocal(moved.To):yyyy-MM-dd HH:mm}; {moved.TimersFired} timers fired on the way.");
        }
        catch (RectifyException e) when (e.Kind is RectifyErrorKind.Invalid or RectifyErrorKind.Forbidden)
        {
            DemoClockError = e.Message();
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        await OnGetAsync(ct);
        return Page();
    }

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

    /// <summary>Why the last import was refused, one line per reason.</summary>
    public IReadOnlyList<string> ImportErrors { get; private set; } = [];

    /// <summary>An Elsa workflow JSON file (the Studio's Export, or Elsa's own) becomes a new definition, opened as a draft.</summary>
    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, CancellationToken ct)
    {
        JsonObject? model = null;
        if (file is { Length: > 0 and <= MaxImportBytes })
        {
            try
            {
                await using var stream = file.OpenReadStream();
                model = await JsonNode.ParseAsync(stream, cancellationToken: ct) as JsonObject;
            }
            catch (JsonException) { }
        }
        if (model is null)
        {
            ImportErrors = [Lang.T("请选择一个 Elsa 流程 JSON 文件（不超过 2 MB）。", "Choose an Elsa workflow JSON file (2 MB at most).")];
            await OnGetAsync(ct);
            return Page();
        }
        try
        {
            var draft = await store.SaveDraftAsync(WorkflowDefinitionsApi.AsNewDefinition(model).ToJsonString(), ct);
            return Redirect($"/designer/workflows/definitions/{Uri.EscapeDataString(draft.DefinitionId)}/edit");
        }
        catch (WorkflowDefinitionException e)
        {
            ImportErrors = e.Errors.Select(error => $"{error.Path}: {Lang.T(error.Message, error.MessageEn)}").ToList();
            await OnGetAsync(ct);
            return Page();
        }
    }

    private const long MaxImportBytes = 2 * 1024 * 1024;

    public int FindingsOn(WorkflowDefinitionVersion version) => FindingsByVersion.GetValueOrDefault(version.Id);
}
