using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Data;
using Rectify.Reports;

namespace Rectify.Captures;

/// <summary>
/// A full-page screenshot of a fetched page (optional: registered only when a browser is configured). It renders the
/// body already fetched and must reach the network only through <see cref="GuardedFetcher"/>.
/// </summary>
public interface IPageScreenshotter
{
    Task<byte[]?> ScreenshotAsync(Uri pageUrl, FetchResult page, CancellationToken ct);
}

/// <summary>
/// Fetches the queued links, outside any request: one run at a time in this process, each row claimed with a lease
/// so that several nodes share the queue and a dead node's claims pass to the others. A capture stores the body, its
/// text and SHA-256 and, with a browser configured, a screenshot; a re-check compares the page's text with the
/// capture's. The result is saved as an audited change of the row (system actor), so it joins the finding's history.
/// </summary>
public sealed class LinkCaptureWorker(IServiceScopeFactory scopes, GuardedFetcher fetcher, IEvidenceStorage storage,
    IOptions<CaptureOptions> options, TimeProvider time, ILogger<LinkCaptureWorker> logger, IPageScreenshotter? screenshotter = null) : IDisposable
{
    private static readonly JsonSerializerOptions HeaderJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly SemaphoreSlim _run = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Dispose()
    {
        _run.Dispose();
        _wake.Dispose();
    }

    /// <summary>Tells the background loop that something was queued (called after the queuing transaction committed).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try { _wake.Release(); } catch (SemaphoreFullException) { }
        }
    }

    internal async Task WaitForWorkAsync(CancellationToken ct) => await _wake.WaitAsync(options.Value.PollInterval, ct);

    /// <summary>
    /// Fetches every queued link nobody holds; answers how many it handled. Runs of this process take turns, so once
    /// this returns, everything queued before the call has been handled here or by the run it waited for.
    /// </summary>
    public async Task<int> RunPendingAsync(CancellationToken ct = default)
    {
        await _run.WaitAsync(ct);
        try
        {
            var handled = 0;
            while (await ClaimNextAsync(ct) is { } id)
            {
                await HandleAsync(id, ct);
                handled++;
            }
            return handled;
        }
        finally
        {
            _run.Release();
        }
    }

    private async Task<int?> ClaimNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        while (true)
        {
            var now = time.GetUtcNow();
            var next = await db.Set<LinkCapture>().Where(c => c.Outcome == LinkOutcome.Pending && (c.ClaimedUntil == null || c.ClaimedUntil < now))
                .OrderBy(c => c.Id).Select(c => (int?)c.Id).FirstOrDefaultAsync(ct);
            if (next is null)
                return null;
            // Whoever moves the lease first has it; another node's claim in between makes this update touch nothing.
            var until = now + options.Value.LeaseDuration;
            int claimed;
            await using (var transaction = await db.BeginWriteTransactionAsync(ct))
            {
                claimed = await db.Set<LinkCapture>()
                    .Where(c => c.Id == next && c.Outcome == LinkOutcome.Pending && (c.ClaimedUntil == null || c.ClaimedUntil < now))
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.ClaimedUntil, until), ct);
                await transaction.CommitAsync(ct);
            }
            if (claimed == 1)
                return next;
        }
    }

    private async Task HandleAsync(int id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        var capture = await db.Set<LinkCapture>().SingleAsync(c => c.Id == id, ct);
        var page = await fetcher.FetchAsync(capture.Url, ct);
        var written = new List<string>();
        try
        {
            capture.FetchedAt = time.GetUtcNow();
            // Cut to their columns: a redirect may lead anywhere, a refusal lists every address of a name.
            capture.FinalUrl = Cut(page.FinalUrl?.ToString() ?? "", 2048);
            capture.StatusCode = page.StatusCode;
            capture.Headers = JsonSerializer.Serialize(page.Headers, HeaderJson);
            capture.ContentType = Cut(page.ContentType, 200);
            capture.Outcome = page.Outcome;
            capture.Detail = Cut(page.Detail, 500);
            if (page.HasPage)
            {
                capture.Size = page.Body.Length;
                capture.Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(page.Body));
                var text = PageText.Extract(page.Body, page.ContentType);
                var stem = $"captures/{capture.FetchedAt:yyyy}/{capture.FetchedAt:MM}/{Guid.NewGuid():N}";
                capture.BodyKey = await SaveAsync($"{stem}.body", page.Body, written, ct);
                capture.TextKey = await SaveAsync($"{stem}.txt", Encoding.UTF8.GetBytes(text), written, ct);
                if (capture.Kind == LinkCheckKind.Capture)
                {
                    if (screenshotter is not null && await ScreenshotAsync(page, ct) is { } png)
                        capture.ScreenshotKey = await SaveAsync($"{stem}.png", png, written, ct);
                }
                else
                    await CompareAsync(db, capture, text, ct);
            }
            db.AuditAs(ActionOf(capture));
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            foreach (var key in written)
                await storage.DeleteAsync(key, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Kept or changed: how much of the captured text the page still contains, against the threshold.</summary>
    private async Task CompareAsync(RectifyDb db, LinkCapture recheck, string text, CancellationToken ct)
    {
        var baselineKey = recheck.BaselineId is { } baselineId
            ? await db.Set<LinkCapture>().Where(c => c.Id == baselineId).Select(c => c.TextKey).SingleAsync(ct)
            : null;
        if (baselineKey is null)
        {
            recheck.Outcome = LinkOutcome.Kept;
            recheck.Detail = "提交时未能抓取该页面，仅核对页面仍可访问";
            return;
        }
        string captured;
        await using (var stream = await storage.OpenReadAsync(baselineKey, ct))
        using (var reader = new StreamReader(stream, Encoding.UTF8))
            captured = await reader.ReadToEndAsync(ct);
        var similarity = Math.Round(PageText.Containment(captured, text), 4);
        recheck.Similarity = similarity;
        recheck.Outcome = similarity >= options.Value.MinSimilarity ? LinkOutcome.Kept : LinkOutcome.Changed;
        recheck.Detail = recheck.Outcome == LinkOutcome.Changed
            ? $"页面仅保留提交时内容的{similarity * 100:0}%（阈值{options.Value.MinSimilarity * 100:0}%）"
            : "";
    }

    private async Task<byte[]?> ScreenshotAsync(FetchResult page, CancellationToken ct)
    {
        // A screenshot is a bonus: the capture stands without it.
        try
        {
            return await screenshotter!.ScreenshotAsync(page.FinalUrl!, page, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "No screenshot of {Url}", page.FinalUrl);
            return null;
        }
    }

    private async Task<string> SaveAsync(string key, byte[] content, List<string> written, CancellationToken ct)
    {
        await storage.SaveAsync(key, new MemoryStream(content), ct);
        written.Add(key);
        return key;
    }

    private static string Cut(string text, int max) => text.Length > max ? text[..max] : text;

    private static string ActionOf(LinkCapture c) => (c.Kind, c.Outcome) switch
    {
        (LinkCheckKind.Capture, LinkOutcome.Captured) => "link.captured",
        (LinkCheckKind.Capture, _) => "link.capture_failed",
        (_, LinkOutcome.Kept) => "link.recheck_kept",
        (_, LinkOutcome.Changed or LinkOutcome.Gone) => "link.recheck_rebound",
        _ => "link.recheck_failed",
    };
}

/// <summary>Runs <see cref="LinkCaptureWorker"/> when woken by a submission or a draft, and every poll interval.</summary>
public sealed class LinkCaptureBackground(LinkCaptureWorker worker, ILogger<LinkCaptureBackground> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await worker.RunPendingAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Fetching cited links failed; trying again at the next poll");
            }
            await worker.WaitForWorkAsync(stoppingToken);
        }
    }
}
