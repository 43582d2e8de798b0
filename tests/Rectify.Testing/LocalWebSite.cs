using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rectify.Testing;

/// <summary>
/// A unit's website for evidence-capture tests: Kestrel on a free loopback port serving pages the test sets and
/// changes (<see cref="Page"/>, <see cref="Redirect"/>, <see cref="Remove"/>); anything else is 404.
/// </summary>
public sealed class LocalWebSite : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (int Status, string ContentType, byte[] Body, string? Location)> _pages = new();
    private readonly WebApplication _app;

    public string BaseUrl { get; }

    private LocalWebSite(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public static async Task<LocalWebSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        LocalWebSite? site = null;
        app.Run(async context =>
        {
            if (!site!._pages.TryGetValue(context.Request.Path.Value ?? "/", out var page))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            context.Response.StatusCode = page.Status;
            if (page.Location is not null)
                context.Response.Headers.Location = page.Location;
            context.Response.ContentType = page.ContentType;
            await context.Response.Body.WriteAsync(page.Body);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site = new LocalWebSite(app, address.TrimEnd('/'));
        return site;
    }

    public string Url(string path) => BaseUrl + path;

    /// <summary>Serves <paramref name="html"/> at <paramref name="path"/> (UTF-8 unless another encoding is given).</summary>
    public string Page(string path, string html, int status = 200, Encoding? encoding = null)
    {
        encoding ??= Encoding.UTF8;
        _pages[path] = (status, $"text/html; charset={encoding.WebName}", encoding.GetBytes(html), null);
        return Url(path);
    }

    /// <summary>Serves any bytes (an image, a style sheet) at <paramref name="path"/>.</summary>
    public string File(string path, string contentType, byte[] content)
    {
        _pages[path] = (200, contentType, content, null);
        return Url(path);
    }

    /// <summary>Answers <paramref name="path"/> with a 302 to <paramref name="location"/>.</summary>
    public string Redirect(string path, string location)
    {
        _pages[path] = (302, "text/plain", [], location);
        return Url(path);
    }

    /// <summary>The page is gone: 404 from now on.</summary>
    public void Remove(string path) => _pages.TryRemove(path, out _);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
