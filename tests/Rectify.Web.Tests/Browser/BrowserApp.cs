using Microsoft.Playwright;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// The app of <see cref="RectifyWebFactory"/> (temp data folder, demo seed, fake clock) served by Kestrel on a free
/// loopback port so a browser can reach it, plus one headless Debian Chromium shared by the browser tests.
/// </summary>
public class BrowserApp : RectifyWebFactory, IAsyncLifetime
{
    /// <summary>How long a browser test waits for anything (the Playwright default of each context).</summary>
    public const int Timeout = 15_000;

    public string BaseUrl { get; private set; } = "";
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: &lt;repo&gt;/artifacts/screenshots (git-ignored).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(RepoRoot(), "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        await BeforeStartAsync();
        Directory.CreateDirectory(ScreenshotDirectory);
        UseKestrel(0);
        StartServer();
        BaseUrl = ClientOptions.BaseAddress.ToString().TrimEnd('/');
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser profile (its own cookies) on a desk-sized screen.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "zh-CN",
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        PageTrace.Attach(page);
        return page;
    }

    public static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    /// <summary>What a subclass starts before the app (whose settings may depend on it, e.g. an SMTP server).</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    protected virtual Task AfterStopAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await DisposeAsync();
        await AfterStopAsync();
    }

    /// <summary>Found from this source file, since the build output may live outside the repository.</summary>
    public static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(source)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Rectify.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }
}
