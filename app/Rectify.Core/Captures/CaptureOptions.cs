namespace Rectify.Captures;

/// <summary>How cited links are fetched (<c>Evidence:Capture:*</c>).</summary>
public sealed class CaptureOptions
{
    /// <summary>Fetch cited links at all (default true).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Largest body read, in bytes (default 5 MB); a larger page is refused, not cut.</summary>
    public long MaxBytes { get; set; } = 5 * 1024 * 1024;
    /// <summary>Time for one fetch, redirects included (default 20 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
    /// <summary>Redirects followed, each checked like the first address (default 5).</summary>
    public int MaxRedirects { get; set; } = 5;
    /// <summary>
    /// Loopback targets (127.0.0.0/8, ::1) are refused unless this is true: for tests against a local server only,
    /// never in production.
    /// </summary>
    public bool AllowLoopback { get; set; }
    /// <summary>
    /// A re-check whose page contains less than this share of the captured text (its character trigrams) is listed as
    /// changed (default 0.8).
    /// </summary>
    public double MinSimilarity { get; set; } = 0.8;
    /// <summary>Chromium for the full-page screenshot (e.g. /usr/bin/chromium); none configured, no screenshot.</summary>
    public string? BrowserPath { get; set; }
    /// <summary>Tallest screenshot kept, in pixels (default 20,000): a longer page is cut there.</summary>
    public int MaxScreenshotHeight { get; set; } = 20_000;
    /// <summary>How often the worker looks for queued fetches besides being woken by a submission (default 30 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a node holds a fetch it took; a dead node's are fetched by another after this (default 5 min).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Screenshot subresources (images, style sheets) fetched through the guard, at most (default 60).</summary>
    public int MaxSubresources { get; set; } = 60;
}
