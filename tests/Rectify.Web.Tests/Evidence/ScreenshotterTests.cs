using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rectify.Captures;
using Rectify.Web.Evidence;
using Xunit;

namespace Rectify.Web.Tests.Evidence;

/// <summary>
/// The capture screenshots in Debian's Chromium: one browser serves every capture (a new one only when it died), and a
/// very long page is cut at <c>Evidence:Capture:MaxScreenshotHeight</c>.
/// </summary>
public sealed class ScreenshotterTests
{
    private static readonly Uri Url = new("https://www.example.gov.cn/zwgk/index.html");

    private static (PlaywrightScreenshotter Shooter, GuardedFetcher Fetcher) Create(int maxHeight = 20_000)
    {
        var options = Options.Create(new CaptureOptions { BrowserPath = "/usr/bin/chromium", MaxScreenshotHeight = maxHeight });
        var fetcher = new GuardedFetcher(options);
        return (new PlaywrightScreenshotter(fetcher, options, NullLogger<PlaywrightScreenshotter>.Instance), fetcher);
    }

    private static FetchResult Page(int heightPx) => new(LinkOutcome.Captured, "", Url, 200, new Dictionary<string, string[]>(), "text/html; charset=utf-8",
        Encoding.UTF8.GetBytes($"<!doctype html><html><body style=\"margin:0\"><div style=\"height:{heightPx}px;background:#c00\">政务公开</div></body></html>"));

    /// <summary>A PNG's height, from its IHDR chunk.</summary>
    private static int PngHeight(byte[] png) => BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4));

    [Fact]
    public async Task One_browser_serves_every_capture_and_another_is_launched_when_it_died()
    {
        var (shooter, fetcher) = Create();
        await using var _ = shooter;
        using var __ = fetcher;

        Assert.NotNull(await shooter.ScreenshotAsync(Url, Page(600), CancellationToken.None));
        var first = shooter.Browser;
        Assert.NotNull(await shooter.ScreenshotAsync(Url, Page(700), CancellationToken.None));
        Assert.Equal(1, shooter.Launches);
        Assert.Same(first, shooter.Browser);
        // Each capture closes its own context: nothing is left open in the shared browser.
        Assert.Empty(first!.Contexts);

        await first.CloseAsync();
        var png = await shooter.ScreenshotAsync(Url, Page(1500), CancellationToken.None);
        Assert.Equal(1500, PngHeight(png!));
        Assert.Equal(2, shooter.Launches);
        Assert.NotSame(first, shooter.Browser);
    }

    [Fact]
    public async Task A_very_long_page_is_cut_at_the_configured_height_and_a_short_one_is_whole()
    {
        var (shooter, fetcher) = Create(maxHeight: 3000);
        await using var _ = shooter;
        using var __ = fetcher;

        Assert.Equal(3000, PngHeight((await shooter.ScreenshotAsync(Url, Page(50_000), CancellationToken.None))!));
        Assert.Equal(1200, PngHeight((await shooter.ScreenshotAsync(Url, Page(1200), CancellationToken.None))!));
    }
}
