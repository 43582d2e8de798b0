using System.Globalization;
using Scriban;
using Scriban.Syntax;

namespace Rectify.Templating;

/// <summary>
/// Renders parsed Liquid templates with Scriban: a template reads only script objects copied from the registered
/// view-model types (no .NET member access), HTML output is encoded, numbers and dates use zh-CN and instants the
/// office time zone, and every rendering is bounded by the engine's limits (loop iterations, recursion, output size)
/// and a timeout. One renderer is thread-safe; each rendering has a context of its own.
/// </summary>
public sealed class LiquidRenderer(ViewModelTypes types, TimeZoneInfo zone, TimeProvider time, CultureInfo? culture = null)
{
    public static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");

    private readonly CultureInfo _culture = culture ?? Chinese;
    private readonly ModelView _model = new(types, zone);

    public ViewModelTypes Types { get; } = types;

    /// <summary>
    /// Renders <paramref name="template"/> with <paramref name="model"/>: a registered view model (its members are the
    /// top-level names) or a string-keyed dictionary (its entries are). Values of any other type render empty.
    /// </summary>
    /// <exception cref="RenderLimitException">The rendering went past a limit and was stopped.</exception>
    /// <exception cref="TemplateRuntimeException">The template failed (unknown filter, bad argument …).</exception>
    public string Render(LiquidTemplate template, object? model, RenderMode mode, RenderLimits? limits = null)
    {
        limits ??= RenderLimits.Default;
        if (template.Depth > limits.MaxDepth)
            throw Stopped(template, $"嵌套 {template.Depth} 层，超过上限 {limits.MaxDepth} 层", null);

        // The timeout is wall-clock protection for the worker, so it uses the system clock even under a fake TimeProvider.
        using var timeout = new CancellationTokenSource(limits.Timeout, TimeProvider.System);
        var context = new RenderContext(zone, TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone), mode)
        {
            LoopLimit = limits.MaxIterations,
            RecursiveLimit = limits.MaxDepth,
            OutputLimit = limits.MaxOutputCharacters,
            OnOutputLimit = ScriptLimitBehavior.Throw,
            LimitToString = limits.MaxOutputCharacters,
            OnStringLimit = ScriptLimitBehavior.Throw,
            // Templates see the script objects built from their view model, never a .NET object's members.
            MemberFilter = _ => false,
            // As in Liquid, a member of nothing is nothing.
            EnableRelaxedMemberAccess = true,
            EnableNullIndexer = true,
            EnableRelaxedTargetAccess = true,
            AutoIndent = false,
            CancellationToken = timeout.Token,
        };
        context.PushCulture(_culture);
        context.PushGlobal(LiquidFilters.Overrides);
        context.PushGlobal(_model.Root(model));
        try
        {
            return template.Parsed.Render(context);
        }
        catch (Exception e) when (e is ScriptRuntimeException or OperationCanceledException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw Translate(template, limits, e, timeout.IsCancellationRequested);
        }
    }

    private static TemplateException Translate(LiquidTemplate template, RenderLimits limits, Exception e, bool timedOut)
    {
        var message = e is ScriptRuntimeException runtime ? runtime.OriginalMessage : e.Message;
        if (timedOut || e is OperationCanceledException or ScriptAbortException)
            return Stopped(template, $"渲染超过 {limits.Timeout.TotalSeconds:0.###} 秒", e);
        if (message.Contains("LoopLimit", StringComparison.Ordinal) || message.Contains("iteration limit", StringComparison.Ordinal))
            return Stopped(template, $"循环超过 {limits.MaxIterations} 次", e);
        if (message.Contains("recursive", StringComparison.OrdinalIgnoreCase) || message.Contains("recursion", StringComparison.OrdinalIgnoreCase))
            return Stopped(template, $"嵌套超过 {limits.MaxDepth} 层", e);
        if (message.Contains("OutputLimit", StringComparison.Ordinal) || message.Contains("LimitToString", StringComparison.Ordinal))
            return Stopped(template, $"输出超过 {limits.MaxOutputCharacters} 个字符", e);
        return new TemplateRuntimeException($"模板 {template} 渲染失败：{message}", e);
    }

    private static RenderLimitException Stopped(LiquidTemplate template, string reason, Exception? inner) =>
        new($"模板 {template} 已中止：{reason}。", inner);
}
