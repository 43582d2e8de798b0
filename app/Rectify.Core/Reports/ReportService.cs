using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Findings;

namespace Rectify.Reports;

/// <summary>
/// What a liaison fills in for a report, besides new files: <paramref name="KeepEvidence"/> names evidence of the
/// finding's returned or withdrawn reports to carry over into this one.
/// </summary>
public sealed record ReportForm(string Measures, bool IsFullyRectified, IReadOnlyList<string> Links, IReadOnlyList<Guid>? KeepEvidence = null);

/// <summary>Files stored for a report not yet submitted; <paramref name="Refused"/> is the first file refused (the rest were not tried).</summary>
public sealed record StoredUploads(IReadOnlyList<StoredEvidence> Stored, RectifyException? Refused);

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
        // Refuse early, before writing any file, what would be refused anyway.
        await RequireReporterAsync(findingId, actor, ct);
        RequireFileCount(files.Count + (form.KeepEvidence?.Count ?? 0));
        CheckLinks(form.Links);
        var uploads = await StoreAsync(findingId, files, actor, ct);
        try
        {
            if (uploads.Refused is { } refused)
                throw refused;
            return await SubmitStoredAsync(findingId, form, uploads.Stored, actor, ct);
        }
        catch
        {
            await DeleteAsync(uploads.Stored);
            throw;
        }
    }

    /// <summary>
    /// Stores files for a report about to be submitted, stopping at the first refused one; what was stored stays
    /// (a draft the page offers again after an error) until a report references it or the orphan sweep deletes it.
    /// </summary>
    public async Task<StoredUploads> StoreAsync(int findingId, IReadOnlyList<EvidenceUpload> files, Actor actor, CancellationToken ct = default)
    {
        await RequireReporterAsync(findingId, actor, ct);
        var stored = new List<StoredEvidence>();
        foreach (var file in files)
        {
            try
            {
                stored.Add(await store.SaveAsync(file, ct));
            }
            catch (RectifyException e) when (e.Kind == RectifyErrorKind.Invalid)
            {
                return new StoredUploads(stored, e);
            }
        }
        return new StoredUploads(stored, null);
    }

    /// <summary>
    /// Submits a report whose new files are already stored (<paramref name="stored"/>), carrying over the evidence of
    /// earlier returned or withdrawn reports that <see cref="ReportForm.KeepEvidence"/> names. Deletes nothing when refused.
    /// </summary>
    public async Task<RectificationReport> SubmitStoredAsync(int findingId, ReportForm form, IReadOnlyList<StoredEvidence> stored, Actor actor, CancellationToken ct = default)
    {
        await RequireReporterAsync(findingId, actor, ct);
        var keep = form.KeepEvidence?.Distinct().ToList() ?? [];
        RequireFileCount(stored.Count + keep.Count);
        CheckLinks(form.Links);
        var now = time.GetUtcNow();
        var files = stored.Select(s => (File: s, UploadedAt: now)).ToList();
        if (keep.Count > 0)
        {
            var earlier = await db.Set<EvidenceFile>().AsNoTracking()
                .Where(e => keep.Contains(e.Id) && e.Report!.FindingId == findingId
                    && (e.Report.Decision == ReviewDecision.Returned || e.Report.Decision == ReviewDecision.Withdrawn))
                .ToListAsync(ct);
            if (earlier.Count != keep.Count)
                throw RectifyException.Invalid("evidence.keep_unknown", "要保留的佐证材料不属于本问题退回或撤回的报告。",
                    "Evidence to keep must come from a returned or withdrawn report of this finding.");
            // The same stored object, referenced once more: nothing deletes evidence a row still names.
            files.AddRange(earlier.OrderBy(e => keep.IndexOf(e.Id))
                .Select(e => (new StoredEvidence(e.StorageKey, e.FileName, e.ContentType, e.Size, e.Sha256), e.UploadedAt)));
        }
        // No preset Id: EF would take a keyed entity reached through the finding for an existing row.
        var evidence = files.Select(f => new EvidenceFile
        {
            FileName = f.File.FileName,
            ContentType = f.File.ContentType,
            Size = f.File.Size,
            StorageKey = f.File.StorageKey,
            Sha256 = f.File.Sha256,
            UploadedAt = f.UploadedAt,
        }).ToList();
        var report = await lifecycle.SubmitReportAsync(findingId, new ReportContent(form.Measures ?? "", form.IsFullyRectified, form.Links, evidence), actor, ct);
        // Its links were queued in the submission's transaction; they are fetched in the background, not in this request.
        captures.Wake();
        return report;
    }

    /// <summary>Deletes stored files no report took (an API submission refused after storing them).</summary>
    public async Task DeleteAsync(IEnumerable<StoredEvidence> stored)
    {
        foreach (var s in stored)
            await store.DeleteAsync(s.StorageKey, CancellationToken.None);
    }

    private async Task RequireReporterAsync(int findingId, Actor actor, CancellationToken ct)
    {
        if (!await db.Set<Finding>().VisibleTo(actor).AnyAsync(f => f.Id == findingId && f.Status != FindingStatus.Draft, ct))
            throw RectifyException.NotFound("finding");
        if (!actor.IsLiaison)
            throw RectifyException.Forbidden("report.submit_forbidden", "只有责任单位联络人可以提交整改报告。", "Only the unit's liaison submits reports.");
    }

    private void RequireFileCount(int count)
    {
        if (count > options.Value.MaxFiles)
            throw RectifyException.Invalid("evidence.too_many", $"最多上传 {options.Value.MaxFiles} 个文件。", $"At most {options.Value.MaxFiles} files.");
    }

    private static void CheckLinks(IEnumerable<string> links)
    {
        foreach (var link in links.Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            if (!Uri.TryCreate(link.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw RectifyException.Invalid("report.link_invalid", $"链接“{link}”不是有效的网址。", $"'{link}' is not a valid http(s) link.");
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
