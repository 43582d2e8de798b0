using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Rectify.Auditing;
using Rectify.Inspections;
using Rectify.Notices;
using Rectify.Time;
using Rectify.Web.Pages.Shared;

namespace Rectify.Web.Pages.Notices;

/// <summary>通报: the list, a new draft from chosen inspections, and each unit's completion rate across issued notices.</summary>
public class IndexModel(NoticeService notices, InspectionService inspections, ActorContext actor, OfficeClock clock, IOptions<OfficeOptions> office) : PageModel
{
    public IReadOnlyList<NoticeSummary> Notices { get; private set; } = [];
    public IReadOnlyList<InspectionRow> Inspections { get; private set; } = [];
    public string ChartSvg { get; private set; } = "";
    public string? Error { get; private set; }

    [BindProperty] public List<int> InspectionIds { get; set; } = [];
    [BindProperty] public DateOnly? PeriodStart { get; set; }
    [BindProperty] public DateOnly? PeriodEnd { get; set; }
    [BindProperty] public string Number { get; set; } = "";

    public bool CanDraft => actor.Actor.IsAuditor;
    public bool IsStaff => actor.Actor.IsAuditor || actor.Actor.IsSupervisor;

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            var draft = notices.NewDraft(InspectionIds, PeriodStart ?? default, PeriodEnd ?? default, office.Value.Name) with { Number = Number ?? "" };
            var notice = await notices.CreateDraftAsync(draft, actor.Actor, ct);
            return Redirect($"/notices/{notice.Id}");
        }
        catch (RectifyException e) when (e.Kind is RectifyErrorKind.Invalid or RectifyErrorKind.Conflict)
        {
            Error = e.Message();
            await LoadAsync(ct);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Notices = await notices.ListAsync(actor.Actor, ct);
        if (IsStaff)
        {
            // Only inspections with findings no notice has published yet can feed a new notice.
            Inspections = (await inspections.ListAsync(actor.Actor, ct)).Where(i => i.Unissued > 0).ToList();
            ChartSvg = CompletionChart.Svg(await notices.CompletionSeriesAsync(ct));
        }
        var firstOfMonth = new DateOnly(clock.Today.Year, clock.Today.Month, 1);
        PeriodStart ??= firstOfMonth.AddMonths(-1);
        PeriodEnd ??= firstOfMonth.AddDays(-1);
    }
}
