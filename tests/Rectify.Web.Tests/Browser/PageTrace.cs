using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Rectify.Web.Tests.Browser;

/// <summary>
/// What a page asked of the server and what came back, with times, so that a wait for a page that times out says
/// whether the request was never sent, the server answered late or with an error, or the page never finished loading.
/// </summary>
public static class PageTrace
{
    private static readonly ConditionalWeakTable<IPage, ConcurrentQueue<string>> Traces = new();

    public static void Attach(IPage page)
    {
        var trace = Traces.GetValue(page, _ => new ConcurrentQueue<string>());
        var clock = Stopwatch.StartNew();
        void Note(string what) => trace.Enqueue($"{clock.Elapsed.TotalSeconds,7:F2} s  {what}");
        page.Request += (_, r) => Note($"→ {r.Method} {r.Url}");
        page.Response += (_, r) => Note($"← {r.Status} {r.Request.Method} {r.Url}");
        page.RequestFailed += (_, r) => Note($"✗ {r.Method} {r.Url}: {r.Failure}");
        page.FrameNavigated += (_, f) => { if (f.ParentFrame is null) Note($"navigated to {f.Url}"); };
        page.DOMContentLoaded += (_, _) => Note("DOMContentLoaded");
        page.Load += (_, _) => Note("load");
        page.Console += (_, m) => { if (m.Type is "error" or "warning") Note($"console {m.Type}: {m.Text}"); };
    }

    /// <summary>
    /// Waits until the page is at <paramref name="url"/> and its document has loaded; a timeout tells the page's trace.
    /// Not <see cref="IPage.WaitForURLAsync(Regex, PageWaitForURLOptions?)"/>: Playwright's client looks whether the
    /// load event has come and only then subscribes to it, so a load arriving in between is missed and the wait runs
    /// out with the page loaded (seen in full runs: "load" in the trace, then the timeout).
    /// </summary>
    public static async Task WaitForPageAsync(this IPage page, Regex url, float timeout = BrowserApp.Timeout)
    {
        try
        {
            await Assertions.Expect(page).ToHaveURLAsync(url, new() { Timeout = timeout });
            await page.WaitForStateAsync(LoadState.Load, timeout);
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            var trace = Traces.TryGetValue(page, out var notes) ? string.Join('\n', notes) : "(no trace attached)";
            throw new TimeoutException($"{e.Message}\nThe page is at {page.Url}. What it did:\n{trace}", e);
        }
    }

    /// <summary>Waits until the page has made no request for 500 ms.</summary>
    public static Task WaitForNetworkIdleAsync(this IPage page, float timeout = BrowserApp.Timeout) =>
        page.WaitForStateAsync(LoadState.NetworkIdle, timeout);

    /// <summary>
    /// <see cref="IPage.WaitForLoadStateAsync"/> in rounds of a second: a state that a round misses in the gap between
    /// its check and its subscription stays recorded, and the next round's check sees it.
    /// </summary>
    private static async Task WaitForStateAsync(this IPage page, LoadState state, float timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await page.WaitForLoadStateAsync(state, new() { Timeout = 1_000 });
                return;
            }
            catch (TimeoutException) when (waited.ElapsedMilliseconds < timeout)
            {
            }
        }
    }
}
