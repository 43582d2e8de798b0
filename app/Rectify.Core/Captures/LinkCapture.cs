using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Reports;

namespace Rectify.Captures;

/// <summary>
/// One fetch of a link a report cites: the capture made when the report is submitted, or a re-check made when a
/// notice is drafted (compared with that capture). Queued in the transaction that causes it and fetched by
/// <see cref="LinkCaptureWorker"/>; the stored copy (HTML, text, screenshot) lives in the evidence storage. Every
/// change is audited, so captures and re-checks are part of the finding's history.
/// </summary>
public class LinkCapture : Rectify.Auditing.IAuditable
{
    public int Id { get; set; }
    public int FindingId { get; set; }
    public int ReportId { get; set; }
    public RectificationReport? Report { get; set; }
    public LinkCheckKind Kind { get; set; }
    /// <summary>For a re-check: the notice draft it was made for.</summary>
    public int? NoticeId { get; set; }
    /// <summary>For a re-check: the capture it is compared with (none when the first fetch got no page).</summary>
    public int? BaselineId { get; set; }
    /// <summary>The link as the report cites it.</summary>
    public string Url { get; set; } = "";
    public LinkOutcome Outcome { get; set; } = LinkOutcome.Pending;
    /// <summary>Why the fetch gave no page, or how the page changed (Chinese, shown as is).</summary>
    public string Detail { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    /// <summary>A node fetching this holds it until then; a node that died leaves it to the others afterwards.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }
    public DateTimeOffset? FetchedAt { get; set; }
    /// <summary>Where the last redirect ended.</summary>
    public string FinalUrl { get; set; } = "";
    public int? StatusCode { get; set; }
    /// <summary>The response headers (JSON object, name → values).</summary>
    public string Headers { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Size { get; set; }
    /// <summary>SHA-256 of the body as received (hex).</summary>
    public string Sha256 { get; set; } = "";
    /// <summary>Storage keys of the body, its extracted text (UTF-8) and the full-page screenshot (PNG).</summary>
    public string? BodyKey { get; set; }
    public string? TextKey { get; set; }
    public string? ScreenshotKey { get; set; }
    /// <summary>For a re-check: how much of the captured text the page still contains (0–1).</summary>
    public double? Similarity { get; set; }
    /// <summary>For a re-check: the auditor put the finding into the notice's follow-up (回头看) as 整改反弹.</summary>
    public bool AddedToFollowUp { get; set; }

    public bool IsDone => Outcome != LinkOutcome.Pending;

    /// <summary>A re-check the auditor should look at: the page is gone or no longer says what it said.</summary>
    public bool IsRebound => Kind == LinkCheckKind.Recheck && Outcome is LinkOutcome.Gone or LinkOutcome.Changed;
}

public enum LinkCheckKind
{
    Capture,
    Recheck,
}

public enum LinkOutcome
{
    Pending,
    /// <summary>A page was fetched and stored.</summary>
    Captured,
    /// <summary>Re-check: the page still contains the captured text (above the threshold).</summary>
    Kept,
    /// <summary>Re-check: the page answers, but its text changed beyond the threshold.</summary>
    Changed,
    /// <summary>404/410, a server error, no such host, or nobody answering.</summary>
    Gone,
    /// <summary>Refused by the guard: not http(s), or an address that is not public.</summary>
    Refused,
    /// <summary>Too large, too slow, too many redirects, or another error; the page itself may be fine.</summary>
    Failed,
}

internal sealed class LinkCaptureConfiguration : IEntityTypeConfiguration<LinkCapture>
{
    public void Configure(EntityTypeBuilder<LinkCapture> b)
    {
        b.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(c => c.Outcome).HasConversion<string>().HasMaxLength(20);
        b.Property(c => c.Url).HasMaxLength(2048);
        b.Property(c => c.FinalUrl).HasMaxLength(2048);
        b.Property(c => c.Detail).HasMaxLength(500);
        b.Property(c => c.ContentType).HasMaxLength(200);
        b.Property(c => c.Sha256).HasMaxLength(64);
        b.Property(c => c.BodyKey).HasMaxLength(200);
        b.Property(c => c.TextKey).HasMaxLength(200);
        b.Property(c => c.ScreenshotKey).HasMaxLength(200);
        b.Ignore(c => c.IsDone);
        b.Ignore(c => c.IsRebound);
        b.HasOne(c => c.Report).WithMany().HasForeignKey(c => c.ReportId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Finding>().WithMany().HasForeignKey(c => c.FindingId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<LinkCapture>().WithMany().HasForeignKey(c => c.BaselineId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(c => c.FindingId);
        // Only re-checks have a notice and a baseline.
        b.HasIndex(c => c.NoticeId).OnlyWhereSet();
        b.HasIndex(c => c.BaselineId).OnlyWhereSet();
        // The worker looks for pending rows only.
        b.HasIndex(c => c.Outcome);
    }
}
