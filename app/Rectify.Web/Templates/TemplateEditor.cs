using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Mail.Outbox;
using Rectify.Mail.Templates;
using Rectify.Notices;
using Rectify.Templating;

namespace Rectify.Web.Templates;

/// <summary>A template on /templates: mail/NAME (subject, HTML and text parts) or notice/NAME (one HTML part).</summary>
public sealed record EditableTemplate(string Id, string Title)
{
    public bool IsMail => Id.StartsWith("mail/", StringComparison.Ordinal);
    public string Name => Id[(Id.IndexOf('/') + 1)..];
}

/// <summary>The text of a template's parts; Subject and Text are null for a notice template.</summary>
public sealed record TemplateParts(string? Subject, string Html, string? Text);

/// <summary>Where a part does not parse or fails on the chosen data: the part, 1-based line and column, the message.</summary>
public sealed record PartError(string Part, int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"{PartTitle(Part)} 第 {Line} 行第 {Column} 列：{Message}" : Part.Length > 0 ? $"{PartTitle(Part)}：{Message}" : Message;

    public static string PartTitle(string part) => part switch
    {
        SavedTemplates.SubjectPart => "主题",
        SavedTemplates.TextPart => "纯文本",
        _ => "HTML",
    };
}

public sealed record TemplatePreview(IReadOnlyList<PartError> Errors, string? Subject, string? Html, string? Text);

/// <summary>A finding or notice to preview with.</summary>
public sealed record PreviewSubject(int Id, string Label);

/// <summary>
/// Supervisors edit the mail and notice templates: a preview renders an edit against a real finding or notice with
/// the renderers' own limits; saving refuses an edit that does not parse or fails on that data, and otherwise adds
/// a version (who, when) that is in use from then on. The files in templates/ stay the shipped defaults.
/// </summary>
public sealed class TemplateEditor(
    RectifyDb db, MailTemplates mail, TemplateRenderer mailRenderer, MailOutbox outbox, NoticeTemplates notices,
    NoticeService noticeService, SavedTemplates saved, TimeProvider time)
{
    private static readonly Dictionary<string, string> Titles = new()
    {
        ["mail/assigned"] = "交办通知", ["mail/reminder"] = "到期提醒（催办）", ["mail/overdue"] = "逾期通知",
        ["mail/report-submitted"] = "整改报告已提交", ["mail/report-returned"] = "整改报告被退回", ["mail/report-accepted"] = "整改报告已通过",
        ["mail/extension-decided"] = "延期审批结果", ["mail/notice-unit"] = "通报（致单位）", ["mail/digest"] = "汇总邮件",
        ["notice/notice"] = "通报正文", ["notice/notice-page"] = "通报网页",
    };

    private static readonly string[] NoticeFiles = ["notice.liquid", "notice-page.liquid"];

    public IReadOnlyList<EditableTemplate> List() =>
    [
        .. mail.Names.Select(n => Editable("mail/" + n)),
        .. NoticeFiles.Select(f => Editable(NoticeTemplates.SavedName(f))),
    ];

    public EditableTemplate Find(string? id) =>
        List().FirstOrDefault(t => t.Id == id) ?? throw RectifyException.NotFound("template");

    /// <summary>The text in use: the newest saved version, else the shipped files.</summary>
    public async Task<TemplateParts> CurrentAsync(EditableTemplate template, CancellationToken ct) =>
        await db.Set<TemplateVersion>().AsNoTracking().Where(v => v.Template == template.Id).OrderByDescending(v => v.Id)
            .Select(v => new TemplateParts(v.Subject, v.Html, v.Text)).FirstOrDefaultAsync(ct)
        ?? Shipped(template);

    public TemplateParts Shipped(EditableTemplate template)
    {
        if (!template.IsMail)
            return new(null, File.ReadAllText(Path.Combine(notices.Directory, template.Name + ".liquid")), null);
        string Read(string part) => File.ReadAllText(Path.Combine(mail.MailDirectory, $"{template.Name}.{part}.liquid"));
        return new(Read(SavedTemplates.SubjectPart), Read(SavedTemplates.HtmlPart), Read(SavedTemplates.TextPart));
    }

    public Task<List<TemplateVersion>> VersionsAsync(EditableTemplate template, CancellationToken ct) =>
        db.Set<TemplateVersion>().AsNoTracking().Where(v => v.Template == template.Id).OrderByDescending(v => v.Id).ToListAsync(ct);

    /// <summary>The latest findings (for a mail) or notices (for a notice template) to preview with.</summary>
    public async Task<List<PreviewSubject>> SubjectsAsync(EditableTemplate template, CancellationToken ct)
    {
        if (!template.IsMail)
        {
            return (await db.Set<Notice>().AsNoTracking().OrderByDescending(n => n.Id).Take(30).Select(n => new { n.Id, n.Number, n.Title }).ToListAsync(ct))
                .Select(n => new PreviewSubject(n.Id, $"{n.Number} {n.Title}".Trim())).ToList();
        }
        return (await db.Set<Finding>().AsNoTracking().Where(f => f.Status != FindingStatus.Draft).OrderByDescending(f => f.Id).Take(50)
                .Select(f => new { f.Id, Unit = f.Unit!.Name, f.Description }).ToListAsync(ct))
            .Select(f => new PreviewSubject(f.Id, $"#{f.Id} {f.Unit}：{(f.Description.Length > 24 ? f.Description[..24] + "…" : f.Description)}")).ToList();
    }

    /// <summary>Parses the parts and, when they parse, renders them against the chosen finding or notice.</summary>
    public async Task<TemplatePreview> PreviewAsync(EditableTemplate template, TemplateParts parts, int? subjectId, Actor actor, CancellationToken ct)
    {
        var parsed = new Dictionary<string, LiquidTemplate>();
        var errors = new List<PartError>();
        foreach (var (part, source) in SavedTemplates.Parts(new TemplateVersion { Template = template.Id, Subject = parts.Subject, Html = parts.Html, Text = parts.Text }))
        {
            if (LiquidTemplate.TryParse(source, $"{template.Name}.{part}", out var t, out var error))
                parsed[part] = t;
            else
                errors.Add(new PartError(part, error.Line, error.Column, error.Message));
        }
        if (errors.Count > 0)
            return new TemplatePreview(errors, null, null, null);
        if (subjectId is not { } id)
            return new TemplatePreview([new PartError("", 0, 0, template.IsMail ? "没有可用于预览的问题。" : "没有可用于预览的通报。")], null, null, null);
        try
        {
            if (template.IsMail)
            {
                var rendered = mailRenderer.Render(parsed, await outbox.PreviewModelAsync(template.Name, id, ct));
                return new TemplatePreview([], rendered.Subject, rendered.Html, rendered.Text);
            }
            var content = await noticeService.ContentAsync(id, actor, ct);
            var model = new Dictionary<string, object?> { ["n"] = content };
            if (template.Name == "notice-page")
                model["body"] = noticeService.RenderBody(content);
            return new TemplatePreview([], null, notices.Render(parsed[SavedTemplates.HtmlPart], model), null);
        }
        catch (Exception e) when (e is TemplateRenderException or InvalidOperationException && e.InnerException is TemplateException)
        {
            return new TemplatePreview([new PartError(SavedTemplates.HtmlPart, 0, 0, e.Message)], null, null, null);
        }
    }

    /// <summary>Saves the parts as a new version once they parse and render against the chosen data.</summary>
    /// <exception cref="RectifyException">template.invalid: the errors, with part, line and column.</exception>
    public async Task<TemplateVersion> SaveAsync(EditableTemplate template, TemplateParts parts, int? subjectId, Actor actor, CancellationToken ct, int? restoredFrom = null)
    {
        var preview = await PreviewAsync(template, parts, subjectId, actor, ct);
        // Without any finding or notice to try it on, a template that parses is accepted.
        var errors = subjectId is null ? preview.Errors.Where(e => e.Line > 0).ToList() : preview.Errors;
        if (errors.Count > 0)
        {
            throw RectifyException.Invalid("template.invalid", "模板有错误，未保存：" + string.Join("；", errors),
                "The template has errors and was not saved: " + string.Join("; ", errors.Select(e => $"{e.Part} ({e.Line},{e.Column}) {e.Message}")));
        }
        var version = new TemplateVersion
        {
            Template = template.Id, Subject = parts.Subject, Html = parts.Html, Text = parts.Text,
            SavedAt = time.GetUtcNow(), SavedById = actor.Id, SavedByName = actor.Name, RestoredFrom = restoredFrom,
        };
        db.Add(version);
        await db.SaveChangesAsync(ct);
        await saved.RefreshAsync(db, ct);
        return version;
    }

    /// <summary>Saves an earlier version (or, with 0, the shipped files) again as the newest.</summary>
    public async Task<TemplateVersion> RestoreAsync(EditableTemplate template, int versionId, int? subjectId, Actor actor, CancellationToken ct)
    {
        var parts = versionId == 0
            ? Shipped(template)
            : await db.Set<TemplateVersion>().AsNoTracking().Where(v => v.Id == versionId && v.Template == template.Id)
                  .Select(v => new TemplateParts(v.Subject, v.Html, v.Text)).FirstOrDefaultAsync(ct)
              ?? throw RectifyException.NotFound("template_version");
        return await SaveAsync(template, parts, subjectId, actor, ct, versionId);
    }

    private static EditableTemplate Editable(string id) => new(id, Titles.GetValueOrDefault(id, id[(id.IndexOf('/') + 1)..]));
}
