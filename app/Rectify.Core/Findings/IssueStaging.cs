using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rectify.Data;

namespace Rectify.Findings;

/// <summary>
/// A long write in progress: a notice's or a bulk issue's findings (their workflows, timers and mails), or an
/// import's findings, committed in chunks of <see cref="FindingIssuer.ChunkSize"/> so that no other write waits long.
/// Everything a chunk writes carries this staging's id and stays out of sight (findings and inspections by a query
/// filter, timers and mails held by a lease only this staging owns) until one short transaction of a constant size
/// sets <see cref="PublishedAt"/>: from that commit on the query filters show its rows. A chunked clean-up then
/// releases the held rows, clears the ids and removes this row. A crash leaves the row behind: at the next start an
/// unpublished issue is resumed to completion (chunks skip the findings already staged), an unpublished import is
/// rolled back (its file is gone), a published one's clean-up is finished.
/// </summary>
public class IssueStaging
{
    public const int IdLength = 40;

    /// <summary>What a held row's lease runs until: never, in practice; the final step clears it.</summary>
    public static readonly DateTimeOffset HeldUntil = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    public required string Id { get; set; }
    public IssueStagingKind Kind { get; set; }
    /// <summary>The notice being issued (印发中), for <see cref="IssueStagingKind.Notice"/>.</summary>
    public int? NoticeId { get; set; }
    /// <summary>The findings to issue, comma-separated, in order (an import writes its own).</summary>
    public string FindingIds { get; set; } = "";
    public int Total { get; set; }
    public int Done { get; set; }
    public string ActorId { get; set; } = "";
    public string ActorName { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>When its rows became visible, all at once; the staging is done from then on, only its clean-up remains.</summary>
    public DateTimeOffset? PublishedAt { get; set; }

    public static string NewId() => "staged:" + Guid.NewGuid().ToString("N");

    public IReadOnlyList<int> Ids() =>
        FindingIds.Length == 0 ? [] : FindingIds.Split(',').Select(int.Parse).ToList();
}

public enum IssueStagingKind
{
    /// <summary>Drafts issued from the list or the API.</summary>
    Findings,
    Notice,
    Import,
}

internal sealed class IssueStagingConfiguration : IEntityTypeConfiguration<IssueStaging>
{
    public void Configure(EntityTypeBuilder<IssueStaging> b)
    {
        b.ToTable("IssueStagings");
        b.Property(s => s.Id).HasMaxLength(IssueStaging.IdLength);
        b.Property(s => s.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(s => s.ActorId).HasMaxLength(450);
        b.Property(s => s.ActorName).HasMaxLength(100);
        b.HasIndex(s => s.NoticeId);
    }
}

/// <summary>
/// Rows of one module that a staged issue adds and that must not act before it is published (due timers, mails):
/// each module holds its own and releases them, chunk by chunk, in the staging's clean-up after it is published.
/// </summary>
public interface IStagedRows
{
    /// <summary>Marks the rows of this module that <paramref name="db"/> is about to add as held by the staging.</summary>
    void Hold(RectifyDb db, string stagingId);

    /// <summary>Releases up to <paramref name="max"/> rows the staging holds, on the caller's transaction; returns how many.</summary>
    Task<int> ReleaseAsync(RectifyDb db, string stagingId, int max, CancellationToken ct);
}
