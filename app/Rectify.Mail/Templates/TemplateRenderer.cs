using Microsoft.Extensions.Options;
using Rectify.Templating;
using Rectify.Time;

namespace Rectify.Mail.Templates;

/// <summary>A template that is missing, or was stopped while rendering (too many loop items, too much output, too long).</summary>
public sealed class TemplateRenderException(string message, Exception? inner = null) : Exception(message, inner);

public sealed record RenderedMail(string Subject, string Html, string Text);

/// <summary>
/// Renders the three parts of a mail template with the shared Liquid renderer (Rectify.Templating): only the
/// view-model types are readable, HTML parts are HTML-encoded, dates and numbers use zh-CN and the office's time
/// zone, and every rendering is bounded (loop items, nesting, output size, time).
/// </summary>
public sealed class TemplateRenderer
{
    private static readonly ViewModelTypes Types = new(
        typeof(MailModel), typeof(DigestModel), typeof(RecipientView), typeof(UnitView), typeof(FindingView),
        typeof(ReportView), typeof(ExtensionView), typeof(DigestItemView));

    private readonly MailTemplates _templates;
    private readonly RenderLimits _limits;
    private readonly LiquidRenderer _renderer;

    public TemplateRenderer(MailTemplates templates, IOptions<MailOptions> options, OfficeClock clock, TimeProvider time)
    {
        _templates = templates;
        var limits = options.Value.Limits;
        _limits = new RenderLimits
        {
            MaxIterations = limits.MaxSteps,
            MaxDepth = limits.MaxRecursion,
            MaxOutputCharacters = limits.MaxOutputCharacters,
            Timeout = limits.Timeout,
        };
        _renderer = new LiquidRenderer(Types, clock.Zone, time);
    }

    public bool Exists(string name) => _templates.Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    public RenderedMail Render(string name, object model)
    {
        var subject = RenderPart(name, MailTemplates.SubjectPart, model, RenderMode.Text);
        return new RenderedMail(
            string.Join(' ', subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            RenderPart(name, MailTemplates.HtmlPart, model, RenderMode.Html),
            RenderPart(name, MailTemplates.TextPart, model, RenderMode.Text).Trim() + "\n");
    }

    private string RenderPart(string name, string part, object model, RenderMode mode)
    {
        var file = $"{name}.{part}.liquid";
        if (!_templates.TryGet(name, part, out var template))
            throw new TemplateRenderException($"邮件模板 {file} 不存在或无法解析（模板目录：{_templates.MailDirectory}）。");
        try
        {
            return _renderer.Render(template, model, mode, _limits);
        }
        catch (TemplateException e)
        {
            // e.g. 模板 assigned.html.liquid 已中止：输出超过 500000 个字符。
            throw new TemplateRenderException("邮件" + e.Message, e);
        }
    }
}
