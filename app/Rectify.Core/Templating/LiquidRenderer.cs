using System.Globalization;
using System.Reflection;
using DotLiquid;
using DotLiquid.Exceptions;

namespace Rectify.Templating;

/// <summary>
/// Renders parsed Liquid templates (DotLiquid) safely: a template reads only the registered view-model types,
/// HTML output is encoded, numbers and dates use zh-CN and instants the office time zone, and every rendering is
/// bounded (loop items, nesting, output size, time). Nothing global of DotLiquid is changed, so renderers with
/// different types, zones or modes can run side by side; one renderer is thread-safe.
/// </summary>
public sealed class LiquidRenderer(ViewModelTypes types, TimeZoneInfo zone, TimeProvider time, CultureInfo? culture = null)
{
    public static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");

    private readonly CultureInfo _culture = culture ?? Chinese;

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
        var output = new BoundedWriter(_culture, limits.MaxOutputCharacters, timeout.Token);
        var state = new RenderState(_culture, zone, TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone), mode, limits);
        var context = new Context([new ModelView(Types, zone).Root(model)], new Hash(), new Hash { [LiquidFilters.StateRegister] = state },
            ErrorsOutputMode.Rethrow, limits.MaxIterations, _culture, timeout.Token)
        {
            SyntaxCompatibilityLevel = SyntaxCompatibility.DotLiquid22,
            UseRubyDateFormat = true,
        };
        context.AddFilters(typeof(LiquidFilters));
        try
        {
            template.Parsed.Root.Render(context, output);
        }
        catch (Exception e)
        {
            throw Translate(template, limits, Unwrap(e));
        }
        return output.ToString();
    }

    private static Exception Translate(LiquidTemplate template, RenderLimits limits, Exception e) => e switch
    {
        RenderLimitException limit => Stopped(template, limit.Message, limit),
        OperationCanceledException or TimeoutException => Stopped(template, $"渲染超过 {limits.Timeout.TotalSeconds:0.###} 秒", e),
        MaximumIterationsExceededException => Stopped(template, $"循环超过 {limits.MaxIterations} 次", e),
        StackLevelException => Stopped(template, "嵌套过深", e),
        _ => new TemplateRuntimeException($"模板 {template} 渲染失败：{e.Message}", e),
    };

    private static RenderLimitException Stopped(LiquidTemplate template, string reason, Exception? inner) =>
        new($"模板 {template} 已中止：{reason}。", inner);

    // Filters run through reflection, so what they throw arrives wrapped.
    private static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException { InnerException: { } inner })
            e = inner;
        return e;
    }
}
