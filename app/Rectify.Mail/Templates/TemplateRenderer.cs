using Microsoft.Extensions.Logging;
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

    private readonly ILogger<TemplateRenderer>? _logger;

    public TemplateRenderer(MailTemplates templates, IOptions<MailOptions> options, OfficeClock clock, TimeProvider time, ILogger<TemplateRenderer>? logger = null)
    {
        _templates = templates;
        _logger = logger;
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

    public RenderedMail Render(string name, object model) =>
        Render(part => Template(name, part), model, (part, e) => Fallback(name, part, e));

    /// <summary>Renders the given parts (subject, html, txt), e.g. an edit being previewed, with the same limits.</summary>
    public RenderedMail Render(IReadOnlyDictionary<string, LiquidTemplate> parts, object model) =>
        Render(part => parts[part], model, (_, _) => null);

    private RenderedMail Render(Func<string, LiquidTemplate> template, object model, Func<string, TemplateRuntimeException, LiquidTemplate?> fallback)
    {
        var subject = RenderPart(template, MailTemplates.SubjectPart, model, RenderMode.Text, fallback);
        return new RenderedMail(
            string.Join(' ', subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            RenderPart(template, MailTemplates.HtmlPart, model, RenderMode.Html, fallback),
            RenderPart(template, MailTemplates.TextPart, model, RenderMode.Text, fallback).Trim() + "\n");
    }

    private LiquidTemplate Template(string name, string part) => _templates.TryGet(name, part, out var template)
        ? template
        : throw new TemplateRenderException($"邮件模板 {name}.{part}.liquid 不存在或无法解析（模板目录：{_templates.MailDirectory}）。");

    // A saved version that fails on this message's data gives way to the shipped file, the last version known good;
    // a runaway one (a limit) is not retried: the message fails with the reason.
    private LiquidTemplate? Fallback(string name, string part, TemplateRuntimeException e)
    {
        if (!_templates.TryGetSaved(name, part, out _) || !_templates.TryGetShipped(name, part, out var shipped))
            return null;
        _logger?.LogWarning("Saved mail template {Name}.{Part} failed ({Error}); the shipped file is used.", name, part, e.Message);
        return shipped;
    }

    private string RenderPart(Func<string, LiquidTemplate> templates, string part, object model, RenderMode mode,
        Func<string, TemplateRuntimeException, LiquidTemplate?> fallback)
    {
        var template = templates(part);
        try
        {
            return _renderer.Render(template, model, mode, _limits);
        }
        catch (TemplateRuntimeException e) when (fallback(part, e) is { } lastGood)
        {
            return RenderPart(_ => lastGood, part, model, mode, (_, _) => null);
        }
        catch (TemplateException e)
        {
            // e.g. 模板 assigned.html.liquid 已中止：输出超过 500000 个字符。
            throw new TemplateRenderException("邮件" + e.Message, e);
        }
    }
}
