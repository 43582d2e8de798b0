using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Inspections;
using Rectify.Notices.Spreadsheets;
using Rectify.Time;
using Rectify.Web.Auth;
using Rectify.Web.Notices;
using Rectify.Web.Pages.Shared;

namespace Rectify.Web.Pages.Notices;

/// <summary>
/// Imports an inspection's findings from an .xlsx: the upload starts a background job, the page shows its progress
/// (polling /api/notices/import/{job}) and, when done, the inspection or every bad cell.
/// </summary>
[Authorize(Policy = Policies.Auditor)]
[RequestSizeLimit(ImportLimits.MaxRequestBytes)]
public class ImportModel(ImportJobs jobs, ActorContext actor, OfficeClock clock) : PageModel
{
    [BindProperty] public string Title { get; set; } = "";
    [BindProperty] public InspectionKind Kind { get; set; } = InspectionKind.ThirdPartyCheck;
    [BindProperty] public DateOnly? PeriodStart { get; set; }
    [BindProperty] public DateOnly? PeriodEnd { get; set; }
    [BindProperty] public string Office { get; set; } = "";
    [BindProperty] public IFormFile? Sheet { get; set; }

    public ImportJob? Job { get; private set; }
    public string? Error { get; private set; }

    public void OnGet(Guid? job)
    {
        Job = job is { } id ? jobs.Get(id) : null;
        var firstOfMonth = new DateOnly(clock.Today.Year, clock.Today.Month, 1);
        PeriodStart ??= firstOfMonth.AddMonths(-1);
        PeriodEnd ??= firstOfMonth.AddDays(-1);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            if (Sheet is null)
                throw RectifyException.Invalid("import.file_required", "请选择要导入的 .xlsx 文件。", "Choose an .xlsx file.");
            var request = new ImportRequest(Title ?? "", Kind, PeriodStart ?? default, PeriodEnd ?? default, Office ?? "");
            if (string.IsNullOrWhiteSpace(request.Title))
                throw RectifyException.Invalid("import.title_required", "请填写检查名称。", "The inspection needs a title.");
            var job = jobs.Start(await NoticesApi.ReadAsync(Sheet, ct), Sheet.FileName, request, actor.Actor);
            return Redirect($"/notices/import?job={job.Id}");
        }
        catch (RectifyException e) when (e.Kind is RectifyErrorKind.Invalid)
        {
            Error = e.Message();
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
    }
}
