using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Findings;

namespace Rectify.Reports;

/// <summary>What a liaison fills in for a report, besides the files.</summary>
public sealed record ReportForm(string Measures, bool IsFullyRectified, IReadOnlyList<string> Links);

/// <summary>Submitting a report with its evidence files, and reading evidence back for those allowed to see it.</summary>
public sealed class ReportService(RectifyDb db, FindingLifecycle lifecycle, IEvidenceStore store, IOptions<EvidenceOptions> options, TimeProvider time,
    Captures.LinkCaptureWorker captures)
{
    /// <summary>
    /// Stores the files, then submits through the lifecycle (which queues the capture of the cited links); if the
    /// submit is refused the stored files are deleted again, so nothing is half-written.
    /// </summary>
    public async Task<RectificationReport> SubmitAsync(int findingId, ReportForm form, IReadOnlyList<EvidenceUpload> files, Actor actor, CancellationToken ct = default)
    {
        // Refuse early, before writing any file, what the lifecycle would refuse anyway.
        if (!await db.Set<Finding>().VisibleTo(actor).AnyAsync(f => f.Id == findingId && f.Status != FindingStatus.Draft, ct))
            throw RectifyException.NotFound("finding");
        if (!actor.IsLiaison)
            throw RectifyException.Forbidden("report.submit_forbidden", "只有责任单位联络人可以提交整改报告。", "Only the unit's liaison submits reports.");
        if (files.Count > options.Value.MaxFiles)
            throw RectifyException.Invalid("evidence.too_many", $"最多上传 {options.Value.MaxFiles} 个文件。", $"At most {options.Value.MaxFiles} files.");
        foreach (var link in form.Links.Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            if (!Uri.TryCreate(link.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw RectifyException.Invalid("report.link_invalid", $"链接“{link}”不是有效的网址。", $"'{link}' is not a valid http(s) link.");
        }

        var stored = new List<StoredEvidence>();
        try
        {
            foreach (var file in files)
                stored.Add(await store.SaveAsync(file, ct));
            var now = time.GetUtcNow();
            // No preset Id: EF would take a keyed entity reached through the finding for an existing row.
            var evidence = stored.Select(s => new EvidenceFile
            {
                FileName = s.FileName,
                ContentType = s.ContentType,
                Size = s.Size,
                StorageKey = s.StorageKey,
                Sha256 = s.Sha256,
                UploadedAt = now,
            }).ToList();
            var report = await lifecycle.SubmitReportAsync(findingId, new ReportContent(form.Measures ?? "", form.IsFullyRectified, form.Links, evidence), actor, ct);
            // Its links were queued in the submission's transaction; they are fetched in the background, not in this request.
            captures.Wake();
            return report;
        }
        catch
        {
            foreach (var s in stored)
                await store.DeleteAsync(s.StorageKey, CancellationToken.None);
            throw;
        }
    }

    /// <summary>An evidence file and its bytes, for staff or the liaison of the finding's unit; 404 for anyone else.</summary>
    public async Task<(EvidenceFile File, Stream Content)> OpenAsync(Guid evidenceId, Actor actor, CancellationToken ct = default)
    {
        var visible = db.Set<Finding>().VisibleTo(actor).Select(f => f.Id);
        var file = await db.Set<EvidenceFile>().AsNoTracking()
            .Where(e => e.Id == evidenceId && visible.Contains(e.Report!.FindingId))
            .SingleOrDefaultAsync(ct)
            ?? throw RectifyException.NotFound("evidence");
        return (file, await store.OpenReadAsync(file.StorageKey, ct));
    }
}
