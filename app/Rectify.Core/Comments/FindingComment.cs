using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rectify.Findings;

namespace Rectify.Comments;

/// <summary>One message of a finding's conversation (留言) between the auditors and the finding's unit.</summary>
public class FindingComment : Rectify.Auditing.IAuditable
{
    public int Id { get; set; }
    public int FindingId { get; set; }
    public Finding? Finding { get; set; }
    public required string Body { get; set; }
    public string AuthorId { get; set; } = "";
    public string AuthorName { get; set; } = "";
    /// <summary>Written by the unit's liaison (else by an auditor): the mail goes to the other side.</summary>
    public bool FromUnit { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class FindingCommentConfiguration : IEntityTypeConfiguration<FindingComment>
{
    public void Configure(EntityTypeBuilder<FindingComment> b)
    {
        b.ToTable("FindingComments");
        b.HasOne(c => c.Finding).WithMany().HasForeignKey(c => c.FindingId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(c => new { c.FindingId, c.CreatedAt });
    }
}
