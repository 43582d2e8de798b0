using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Reports;

namespace Rectify.Captures;

/// <summary>What the review page shows of one fetch: the row and the start of its extracted text.</summary>
public sealed record CaptureView(LinkCapture Capture, string TextExcerpt);

/// <summary>
/// Queues fetches of cited links in the transaction that causes them (a report submitted, a notice drafted), lists
/// them for the pages, and serves their stored copies to those who may see the finding.
/// </summary>
public sealed partial class LinkCaptureService(RectifyDb db, IEvidenceStorage storage, IOptions<CaptureOptions> options, TimeProvider time)
{
    /// <summary>The most links of one report that are fetched (the rest are left to the auditor's own eyes).</summary>
    public const int MaxLinksPerReport = 20;

    private const int ExcerptCharacters = 3000;

    /// <summary>The longest link kept (the column's size); a longer one is no page address anybody typed.</summary>
    private const int MaxLinkLength = 2048;

    /// <summary>The links a report cites: its link field, then web addresses written in its measures, once each.</summary>
    public static IReadOnlyList<string> CitedLinks(RectificationReport report) =>
        report.LinkList.Concat(WebAddress().Matches(report.Measures).Select(m => m.Value))
            .Where(l => l.Length <= MaxLinkLength && Uri.TryCreate(l, UriKind.Absolute, out var u) && u.Scheme is "http" or "https")
            .Distinct(StringComparer.Ordinal).Take(MaxLinksPerReport).ToList();

    /// <summary>Adds a capture of each cited link to the pending save (the report's submission).</summary>
    public void QueueCaptures(Finding finding, RectificationReport report)
    {
        if (!options.Value.Enabled)
            return;
        foreach (var link in CitedLinks(report))
            db.Add(new LinkCapture { FindingId = finding.Id, Report = report, Kind = LinkCheckKind.Capture, Url = link, RequestedAt = time.GetUtcNow() });
    }

    /// <summary>
    /// Adds a re-check for notice draft <paramref name="noticeId"/> of every link of the findings accepted since
    /// <paramref name="since"/> (the previous issued notice; all accepted ones when null) to the pending save, each
    /// compared with the link's capture at submission.
    /// </summary>
    public async Task QueueRechecksAsync(int noticeId, DateTimeOffset? since, CancellationToken ct = default)
    {
        if (!options.Value.Enabled)
            return;
        var reports = await db.Set<RectificationReport>().AsNoTracking()
            .Where(r => r.Decision == ReviewDecision.Accepted && r.Finding!.Status == FindingStatus.Accepted
                        && (since == null || r.Finding.AcceptedAt > since))
            .OrderBy(r => r.FindingId).ToListAsync(ct);
        var reportIds = reports.Select(r => r.Id).ToList();
        var baselines = (await db.Set<LinkCapture>().AsNoTracking()
                .Where(c => reportIds.Contains(c.ReportId) && c.Kind == LinkCheckKind.Capture && c.Outcome == LinkOutcome.Captured)
                .Select(c => new { c.Id, c.ReportId, c.Url }).ToListAsync(ct))
            .GroupBy(c => (c.ReportId, c.Url)).ToDictionary(g => g.Key, g => g.Max(c => c.Id));
        foreach (var report in reports)
        {
            foreach (var link in CitedLinks(report))
            {
                db.Add(new LinkCapture
                {
                    FindingId = report.FindingId,
                    ReportId = report.Id,
                    NoticeId = noticeId,
                    BaselineId = baselines.TryGetValue((report.Id, link), out var baseline) ? baseline : null,
                    Kind = LinkCheckKind.Recheck,
                    Url = link,
                    RequestedAt = time.GetUtcNow(),
                });
            }
        }
    }

    /// <summary>Every fetch of the finding's links, oldest first, with the start of each stored text; 404 for whoever may not see the finding.</summary>
    public async Task<IReadOnlyList<CaptureView>> ForFindingAsync(int findingId, Actor actor, CancellationToken ct = default)
    {
        if (!await db.Set<Finding>().VisibleTo(actor).AnyAsync(f => f.Id == findingId, ct))
            throw RectifyException.NotFound("finding");
        var captures = await db.Set<LinkCapture>().AsNoTracking().Where(c => c.FindingId == findingId).OrderBy(c => c.Id).ToListAsync(ct);
        var views = new List<CaptureView>();
        foreach (var capture in captures)
            views.Add(new CaptureView(capture, capture.TextKey is { } key ? await ExcerptAsync(key, ct) : ""));
        return views;
    }

    /// <summary>A notice draft's re-checks (the finding's unit and location with each), pending ones included.</summary>
    public async Task<IReadOnlyList<RecheckRow>> RechecksAsync(int noticeId, CancellationToken ct = default) =>
        await db.Set<LinkCapture>().AsNoTracking().Where(c => c.NoticeId == noticeId && c.Kind == LinkCheckKind.Recheck)
            .OrderBy(c => c.FindingId).ThenBy(c => c.Id)
            .Join(db.Set<Finding>(), c => c.FindingId, f => f.Id, (c, f) => new RecheckRow(c, f.Unit!.Name, f.Description))
            .ToListAsync(ct);

    /// <summary>The stored body, text or screenshot of a fetch, for anyone who may see its finding (404 otherwise).</summary>
    public async Task<(LinkCapture Capture, Stream Content)> OpenAsync(int captureId, CapturePart part, Actor actor, CancellationToken ct = default)
    {
        var visible = db.Set<Finding>().VisibleTo(actor).Select(f => f.Id);
        var capture = await db.Set<LinkCapture>().AsNoTracking().Where(c => c.Id == captureId && visible.Contains(c.FindingId))
            .SingleOrDefaultAsync(ct) ?? throw RectifyException.NotFound("capture");
        var key = part switch
        {
            CapturePart.Body => capture.BodyKey,
            CapturePart.Text => capture.TextKey,
            _ => capture.ScreenshotKey,
        } ?? throw RectifyException.NotFound("capture");
        return (capture, await storage.OpenReadAsync(key, ct));
    }

    private async Task<string> ExcerptAsync(string key, CancellationToken ct)
    {
        try
        {
            await using var stream = await storage.OpenReadAsync(key, ct);
            using var reader = new StreamReader(stream);
            var buffer = new char[ExcerptCharacters];
            var read = await reader.ReadBlockAsync(buffer, ct);
            return new string(buffer, 0, read) + (reader.Peek() >= 0 ? "…" : "");
        }
        catch (RectifyException e) when (e.Kind == RectifyErrorKind.NotFound)
        {
            return "";
        }
    }

    [GeneratedRegex(@"https?://[^\s<>""'，。；、）》】]+", RegexOptions.IgnoreCase)]
    private static partial Regex WebAddress();
}

public enum CapturePart
{
    Body,
    Text,
    Screenshot,
}

/// <summary>A re-check of a notice draft, with what the auditor needs to judge it.</summary>
public sealed record RecheckRow(LinkCapture Capture, string UnitName, string FindingDescription);

/// <summary>Queues the captures of a submitted report's links in the submission's own transaction.</summary>
public sealed class LinkCaptureOnSubmit(LinkCaptureService captures) : IFindingEventHandler
{
    public Task HandleAsync(FindingEvent e, CancellationToken cancellationToken)
    {
        if (e is ReportSubmitted submitted)
            captures.QueueCaptures(submitted.Finding, submitted.Report);
        return Task.CompletedTask;
    }
}
