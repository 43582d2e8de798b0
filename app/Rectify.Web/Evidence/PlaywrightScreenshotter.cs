using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Rectify.Captures;

namespace Rectify.Web.Evidence;

/// <summary>
/// A full-page screenshot of a captured page in headless Chromium (<c>Evidence:Capture:BrowserPath</c>, e.g. Debian's
/// /usr/bin/chromium). The browser never reaches the network itself: the page is the body already fetched, and every
/// request it makes (images, style sheets) is answered through <see cref="GuardedFetcher"/> — the same address checks
/// and limits — or refused. JavaScript and service workers are off, so nothing runs that could open other channels.
/// One browser serves the worker's lifetime (launched on first use, again if it died); each capture gets its own
/// context, so no cookie or cache passes from one page to the next.
/// </summary>
public sealed class PlaywrightScreenshotter(GuardedFetcher fetcher, IOptions<CaptureOptions> options, ILogger<PlaywrightScreenshotter> logger)
    : IPageScreenshotter, IAsyncDisposable
{
    private static readonly ViewportSize Viewport = new() { Width = 1280, Height = 900 };
    private readonly SemaphoreSlim _launch = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>How many browsers were launched so far (one, unless one died).</summary>
    internal int Launches { get; private set; }

    /// <summary>The running browser, if any.</summary>
    internal IBrowser? Browser => _browser;

    public async Task<byte[]?> ScreenshotAsync(Uri pageUrl, FetchResult page, CancellationToken ct)
    {
        if (!page.ContentType.StartsWith("text/html", StringComparison.OrdinalIgnoreCase)
            && !page.ContentType.StartsWith("application/xhtml", StringComparison.OrdinalIgnoreCase))
            return null;
        var settings = options.Value;
        var browser = await BrowserAsync(ct);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            JavaScriptEnabled = false,
            ServiceWorkers = ServiceWorkerPolicy.Block,
            ViewportSize = Viewport,
            Locale = "zh-CN",
        });
        var subresources = 0;
        await context.RouteAsync("**/*", async route =>
        {
            var request = route.Request;
            if (request.IsNavigationRequest && request.Frame == request.Frame.Page.MainFrame && Uri.TryCreate(request.Url, UriKind.Absolute, out var target)
                && target == pageUrl)
            {
                await route.FulfillAsync(new RouteFulfillOptions { Status = page.StatusCode ?? 200, ContentType = page.ContentType, BodyBytes = page.Body });
                return;
            }
            if (request.IsNavigationRequest || Interlocked.Increment(ref subresources) > settings.MaxSubresources)
            {
                await route.AbortAsync();
                return;
            }
            var fetched = await fetcher.FetchAsync(request.Url, ct);
            if (fetched.HasPage)
                await route.FulfillAsync(new RouteFulfillOptions { Status = fetched.StatusCode ?? 200, ContentType = fetched.ContentType, BodyBytes = fetched.Body });
            else
                await route.AbortAsync();
        });
        var tab = await context.NewPageAsync();
        tab.SetDefaultTimeout((float)settings.Timeout.TotalMilliseconds);
        try
        {
            await tab.GotoAsync(pageUrl.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        }
        catch (TimeoutException)
        {
            // Some subresource never came: what has rendered is still the page.
            logger.LogInformation("Screenshot of {Url} taken before every subresource loaded", pageUrl);
        }
        // A very long page is cut at the configured height: its top is what the report cites, and an unbounded image
        // would cost the worker memory and the reader a download.
        return await tab.ScreenshotAsync(new PageScreenshotOptions
        {
            FullPage = true,
            Type = ScreenshotType.Png,
            Clip = new Clip { X = 0, Y = 0, Width = Viewport.Width, Height = settings.MaxScreenshotHeight },
        });
    }

    private async Task<IBrowser> BrowserAsync(CancellationToken ct)
    {
        await _launch.WaitAsync(ct);
        try
        {
            if (_browser is { IsConnected: true } running)
                return running;
            if (_browser is not null)
            {
                logger.LogWarning("The screenshot browser is gone; launching another");
                await _browser.DisposeAsync();
            }
            _playwright ??= await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = options.Value.BrowserPath,
                Headless = true,
                // Any name the browser would still resolve on its own resolves to nothing.
                Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--dns-prefetch-disable",
                    "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND"],
            });
            Launches++;
            return _browser;
        }
        finally
        {
            _launch.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        _launch.Dispose();
    }
}
