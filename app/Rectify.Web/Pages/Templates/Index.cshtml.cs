using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Auditing;
using Rectify.Templating;
using Rectify.Web.Auth;
using Rectify.Web.Templates;
using static Rectify.Web.Localization.Lang;

namespace Rectify.Web.Pages.Templates;

/// <summary>
/// /templates: a supervisor picks a mail or notice template, edits its parts with a live preview against a real
/// finding or notice (errors with line and column while typing), saves a version, or restores an earlier one.
/// </summary>
[Authorize(Policy = Policies.Supervisor)]
public class IndexModel(TemplateEditor editor, ActorContext actor) : PageModel
{
    public IReadOnlyList<EditableTemplate> Templates { get; private set; } = [];
    public EditableTemplate Selected { get; private set; } = null!;
    public IReadOnlyList<TemplateVersion> Versions { get; private set; } = [];
    public IReadOnlyList<PreviewSubject> Subjects { get; private set; } = [];
    public TemplatePreview? Preview { get; private set; }
    public string? Error { get; private set; }
    [TempData] public string? Done { get; set; }

    [BindProperty(SupportsGet = true, Name = "t")] public string? TemplateId { get; set; }
    [BindProperty(SupportsGet = true, Name = "s")] public int? SubjectId { get; set; }
    [BindProperty] public string? Subject { get; set; }
    [BindProperty] public string Html { get; set; } = "";
    [BindProperty] public string? Text { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        var current = await editor.CurrentAsync(Selected, ct);
        (Subject, Html, Text) = (current.Subject, current.Html, current.Text);
        Preview = await editor.PreviewAsync(Selected, current, SubjectId, actor.Actor, ct);
    }

    /// <summary>The preview of the text being typed, as JSON, for the page's script.</summary>
    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        var template = editor.Find(TemplateId);
        return new JsonResult(await editor.PreviewAsync(template, Parts(template), SubjectId, actor.Actor, ct));
    }

    public Task<IActionResult> OnPostSaveAsync(CancellationToken ct) =>
        ActAsync(template => editor.SaveAsync(template, Parts(template), SubjectId, actor.Actor, ct), ct);

    public Task<IActionResult> OnPostRestoreAsync(int versionId, CancellationToken ct) =>
        ActAsync(template => editor.RestoreAsync(template, versionId, SubjectId, actor.Actor, ct), ct);

    private async Task<IActionResult> ActAsync(Func<EditableTemplate, Task<TemplateVersion>> action, CancellationToken ct)
    {
        await LoadAsync(ct);
        try
        {
            var version = await action(Selected);
            Done = version.RestoredFrom is { } from
                ? T($"已恢复{(from == 0 ? "出厂默认版本" : $"第 {from} 版")}，保存为第 {version.Id} 版，下一封邮件起生效。", $"Restored {(from == 0 ? "the shipped default" : $"version {from}")} as version {version.Id}.")
                : T($"已保存为第 {version.Id} 版，下一封邮件起生效。", $"Saved as version {version.Id}; in use from the next mail.");
        }
        catch (RectifyException e) when (e.Kind == RectifyErrorKind.Invalid)
        {
            // The edit stays in the form, with its errors.
            Error = e.MessageFor(System.Globalization.CultureInfo.CurrentUICulture);
            Preview = await editor.PreviewAsync(Selected, Parts(Selected), SubjectId, actor.Actor, ct);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        return Redirect($"/templates?t={Uri.EscapeDataString(Selected.Id)}{(SubjectId is { } s ? $"&s={s}" : "")}");
    }

    private TemplateParts Parts(EditableTemplate template) =>
        template.IsMail ? new(Subject ?? "", Html ?? "", Text ?? "") : new(null, Html ?? "", null);

    private async Task LoadAsync(CancellationToken ct)
    {
        Templates = editor.List();
        Selected = TemplateId is null ? Templates.First(t => t.Id == "mail/reminder") : editor.Find(TemplateId);
        TemplateId = Selected.Id;
        Versions = await editor.VersionsAsync(Selected, ct);
        Subjects = await editor.SubjectsAsync(Selected, ct);
        if (SubjectId is null || Subjects.All(s => s.Id != SubjectId))
            SubjectId = Subjects.Count > 0 ? Subjects[0].Id : null;
    }
}
