namespace Rectify.Templating;

/// <summary>Anything that went wrong with a template; catch this to handle all of them.</summary>
public abstract class TemplateException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A template that does not parse; <see cref="Error"/> says where.</summary>
public sealed class TemplateSyntaxException(TemplateError error)
    : TemplateException($"模板{(error.File is null ? "" : " " + error.File)} 第 {error.Line} 行第 {error.Column} 列有语法错误：{error.Message}")
{
    public TemplateError Error { get; } = error;
}

/// <summary>A rendering stopped because it went past one of its <see cref="RenderLimits"/>; the message is Chinese.</summary>
public sealed class RenderLimitException(string message, Exception? inner = null) : TemplateException(message, inner);

/// <summary>A template that parsed but failed while rendering (an unknown filter, a bad argument …).</summary>
public sealed class TemplateRuntimeException(string message, Exception? inner = null) : TemplateException(message, inner);
