using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Rectify.Web.Security;

/// <summary>
/// Headers on every response: a Content-Security-Policy that lets the Studio's Blazor WebAssembly run
/// ('wasm-unsafe-eval'; Monaco's workers from blob:; MudBlazor's inline styles) but no inline or foreign script,
/// nosniff, a same-origin referrer, framing only by our own pages, and HSTS on HTTPS. Behind a reverse proxy, the
/// scheme and client address come from X-Forwarded-Proto/-For, trusted only from the configured
/// <c>Proxy:KnownProxies</c> (addresses) and <c>Proxy:KnownNetworks</c> (CIDR), so the sign-in cookie is Secure there.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-src 'self'; frame-ancestors 'self'; " +
        "form-action 'self'; base-uri 'self'; object-src 'none'";

    /// <summary>
    /// The Studio's pages (under /designer/) also allow the one inline script the Studio inserts itself (its editor's
    /// hotkey registration), by its hash: it changes only with the pinned package version (Designer/package.json), and
    /// the browser test of the designer fails if it does.
    /// </summary>
    public static readonly string DesignerContentSecurityPolicy = ContentSecurityPolicy.Replace(
        "script-src 'self' 'wasm-unsafe-eval'", "script-src 'self' 'wasm-unsafe-eval' 'sha256-snlP1jz0gjwc5cTz9ErZcliXuCK63+Mmf68RRCeptgc='");

    public static void AddForwardedHeaders(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in configuration.GetSection("Proxy:KnownProxies").Get<string[]>() ?? [])
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in configuration.GetSection("Proxy:KnownNetworks").Get<string[]>() ?? [])
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        // Without a configured proxy nobody is trusted (with empty lists the middleware would trust every sender).
        var forwarded = app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ForwardedHeadersOptions>>().Value;
        if (forwarded.KnownProxies.Count > 0 || forwarded.KnownIPNetworks.Count > 0)
            app.UseForwardedHeaders();
        return app.Use((context, next) =>
        {
            // Set as the answer starts: the exception handler clears the headers of the answer it rewrites (every
            // refusal, API or page), and those must carry them too.
            context.Response.OnStarting(() =>
            {
                Apply(context);
                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    private static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        // An endpoint may set a stricter policy of its own (evidence shown inline, a captured page: sandboxed).
        if (!headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.ContentSecurityPolicy))
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/designer") ? DesignerContentSecurityPolicy : ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "SAMEORIGIN";
        headers["Referrer-Policy"] = "same-origin";
        if (context.Request.IsHttps)
            headers.StrictTransportSecurity = "max-age=31536000";
    }
}
