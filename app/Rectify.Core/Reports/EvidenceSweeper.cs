using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Data;

namespace Rectify.Reports;

/// <summary>
/// Deletes what a kill between storing evidence and committing its report leaves behind: stored files no report
/// references, <c>.tmp</c> files of an interrupted write, and this node's local upload buffers. Only what is older
/// than <see cref="EvidenceOptions.OrphanGracePeriod"/>, so an upload still on its way to its commit is never touched.
/// Several nodes may sweep the same storage: deleting a file twice is harmless.
/// </summary>
public sealed class EvidenceSweeper(IEvidenceStorage storage, EvidenceBuffers buffers, IServiceScopeFactory scopes, IOptions<EvidenceOptions> options,
    ILogger<EvidenceSweeper> logger)
{
    /// <summary>One sweep; answers how many files it deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken ct = default)
    {
        // File times are the operating system's: compared with its clock, not the office's (which a demo may move).
        var cutoff = TimeProvider.System.GetUtcNow() - options.Value.OrphanGracePeriod;
        var candidates = new List<string>();
        await foreach (var item in storage.ListAsync(ct))
        {
            if (item.LastModified < cutoff)
                candidates.Add(item.Key);
        }
        var deleted = 0;
        if (candidates.Count > 0)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            foreach (var chunk in candidates.Chunk(500))
            {
                referenced.UnionWith(await db.Set<EvidenceFile>().Where(e => chunk.Contains(e.StorageKey)).Select(e => e.StorageKey).ToListAsync(ct));
                // Stored copies of cited pages (body, text, screenshot) are referenced by their fetch.
                referenced.UnionWith((await db.Set<Captures.LinkCapture>()
                        .Where(c => chunk.Contains(c.BodyKey!) || chunk.Contains(c.TextKey!) || chunk.Contains(c.ScreenshotKey!))
                        .Select(c => new[] { c.BodyKey, c.TextKey, c.ScreenshotKey }).ToListAsync(ct))
                    .SelectMany(keys => keys).OfType<string>());
            }
            foreach (var key in candidates.Where(k => !referenced.Contains(k)))
            {
                await storage.DeleteAsync(key, ct);
                deleted++;
            }
        }
        deleted += buffers.DeleteOlderThan(cutoff);
        if (deleted > 0)
            logger.LogWarning("Deleted {Count} orphan evidence files (older than {Grace}, referenced by no report or capture)", deleted, options.Value.OrphanGracePeriod);
        return deleted;
    }
}

/// <summary>Sweeps at start, then every <see cref="EvidenceOptions.SweepInterval"/>.</summary>
public sealed class EvidenceSweeperService(EvidenceSweeper sweeper, IOptions<EvidenceOptions> options, TimeProvider time,
    ILogger<EvidenceSweeperService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                await sweeper.SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "The evidence sweep failed; it runs again in {Interval}", options.Value.SweepInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
