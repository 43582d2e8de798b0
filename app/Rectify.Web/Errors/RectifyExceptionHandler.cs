using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Rectify.Web.Errors;

/// <summary>
/// Turns a refused request into an answer: RFC 7807 problem details with a stable "code" for /api, a short
/// friendly page (the Chinese message first) for pages. Unexpected errors are logged and answered 500.
/// </summary>
public sealed class RectifyExceptionHandler(IProblemDetailsService problems, ILogger<RectifyExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, zh, en) = exception switch
        {
            RectifyException e => (StatusOf(e.Kind), e.Code, e.Message, e.MessageEn),
            // A full disk, also while the form's files are buffered (a BadHttpRequestException around the IOException).
            _ when Reports.StorageFull.Is(exception) => (507, "storage.full", Reports.StorageFull.Error().Message, Reports.StorageFull.Error().MessageEn),
            DbUpdateConcurrencyException => (409, "concurrent_change", "该记录已被他人修改，请刷新后重试。", "Someone else changed this record; reload and retry."),
            AntiforgeryValidationException => (400, "antiforgery.invalid", "页面已过期或请求来源无法确认，请刷新页面后重试。", "The page expired or the request's origin could not be confirmed; reload the page and retry."),
            BadHttpRequestException { StatusCode: 413 } => (413, "request.too_large", "上传内容超过大小限制。", "The upload is larger than allowed."),
            BadHttpRequestException b => (b.StatusCode, "request.invalid", "请求格式不正确。", "The request is malformed."),
            _ => (500, "server_error", "服务器内部错误，请稍后重试。", "Internal server error; please retry later."),
        };
        if (status >= 500 && exception is not RectifyException { Kind: RectifyErrorKind.Busy })
            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        else
            logger.LogInformation("Refused {Method} {Path}: {Code}", httpContext.Request.Method, httpContext.Request.Path, code);

        httpContext.Response.StatusCode = status;
        var english = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";
        if (IsApi(httpContext.Request))
        {
            var details = new ProblemDetails
            {
                Status = status,
                Title = english ? en : zh,
                Detail = english ? zh : en,
                Type = $"https://rectify.local/problems/{code}",
                Instance = httpContext.Request.Path,
            };
            details.Extensions["code"] = code;
            if (exception is RectifyException { Details.Count: > 0 } itemised)
                details.Extensions["details"] = itemised.Details;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
        }
        await WritePageAsync(httpContext, status, english ? en : zh);
        return true;
    }

    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    public static int StatusOf(RectifyErrorKind kind) => kind switch
    {
        RectifyErrorKind.Invalid => 400,
        RectifyErrorKind.Forbidden => 403,
        RectifyErrorKind.NotFound => 404,
        RectifyErrorKind.Unavailable => 507,
        RectifyErrorKind.Busy => 503,
        _ => 409,
    };

    /// <summary>A self-contained error page (no layout: the error may come from the layout itself).</summary>
    public static Task WritePageAsync(HttpContext context, int status, string message)
    {
        var english = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";
        context.Response.ContentType = "text/html; charset=utf-8";
        var title = english ? "Request refused" : "无法完成请求";
        var back = english ? "Back to the home page" : "返回首页";
        var html = $$"""
            <!DOCTYPE html><html lang="{{(english ? "en" : "zh-CN")}}"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>{{title}}</title>
            <style>body{font-family:system-ui,"Microsoft YaHei",sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
            .code{color:#666}</style></head><body>
            <main><h1>{{title}}</h1><p class="message">{{WebUtility.HtmlEncode(message)}}</p><p class="code">HTTP {{status}}</p>
            <p><a href="/">{{back}}</a></p></main></body></html>
            """;
        return context.Response.WriteAsync(html);
    }
}
