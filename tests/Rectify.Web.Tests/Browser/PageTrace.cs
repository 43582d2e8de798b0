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

    /// <summary><see cref="IPage.WaitForURLAsync(Regex, PageWaitForURLOptions?)"/>, whose timeout tells the page's trace.</summary>
    public static async Task WaitForPageAsync(this IPage page, Regex url)
    {
        try
        {
            await page.WaitForURLAsync(url);
        }
        catch (TimeoutException e)
        {
            var trace = Traces.TryGetValue(page, out var notes) ? string.Join('\n', notes) : "(no trace attached)";
            throw new TimeoutException($"{e.Message}\nThe page is at {page.Url}. What it did:\n{trace}", e);
        }
    }
}
