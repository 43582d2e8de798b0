using Rectify.Findings;

namespace Rectify.Reports;

/// <summary>整改报告: what a unit sends back for one finding, and the auditor's decision on it.</summary>
public class RectificationReport : Rectify.Auditing.IAuditable
{
    public int Id { get; set; }
    public int FindingId { get; set; }
    public Finding? Finding { get; set; }
    public string Measures { get; set; } = "";
    public bool IsFullyRectified { get; set; } = true;
    /// <summary>Links to the corrected pages, one per line.</summary>
    public string Links { get; set; } = "";
    public string SubmittedById { get; set; } = "";
    public string SubmittedByName { get; set; } = "";
    public DateTimeOffset SubmittedAt { get; set; }
    /// <summary>Whether it arrived by the deadline in force when it was submitted.</summary>
    public bool SubmittedOnTime { get; set; }
    public ReviewDecision Decision { get; set; } = ReviewDecision.Pending;
    public string ReviewComment { get; set; } = "";
    public string? ReviewedById { get; set; }
    public string ReviewedByName { get; set; } = "";
    public DateTimeOffset? ReviewedAt { get; set; }
    public List<EvidenceFile> Evidence { get; set; } = [];

    public IEnumerable<string> LinkList =>
        Links.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

public enum ReviewDecision
{
    Pending,
    Accepted,
    Returned,
    /// <summary>Taken back by the unit before the review (its reviewer fields name who withdrew it, and when).</summary>
    Withdrawn,
}

/// <summary>An uploaded evidence file; the bytes live in the evidence store, never under the web root.</summary>
public class EvidenceFile : Rectify.Auditing.IAuditable
{
    public Guid Id { get; set; }
    public int ReportId { get; set; }
    public RectificationReport? Report { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long Size { get; set; }
    public required string StorageKey { get; set; }
    public string Sha256 { get; set; } = "";
    public DateTimeOffset UploadedAt { get; set; }
}
