using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rectify.Notices;

internal sealed class NoticeConfiguration : IEntityTypeConfiguration<Notice>
{
    public void Configure(EntityTypeBuilder<Notice> b)
    {
        b.Property(n => n.Number).HasMaxLength(100);
        b.Property(n => n.Title).HasMaxLength(300);
        b.Property(n => n.Office).HasMaxLength(200);
        b.Property(n => n.Addressees).HasMaxLength(1000);
        b.Property(n => n.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(n => n.Version).IsConcurrencyToken();
        b.Property(n => n.AuditHeadHash).HasMaxLength(64);
        b.HasOne(n => n.CorrectsNotice).WithMany().HasForeignKey(n => n.CorrectsNoticeId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(n => n.Inspections).WithOne().HasForeignKey(i => i.NoticeId);
        b.HasMany(n => n.Findings).WithOne().HasForeignKey(f => f.NoticeId);
        b.HasMany(n => n.UnitFigures).WithOne().HasForeignKey(f => f.NoticeId);
        b.HasIndex(n => new { n.Status, n.Date });
        b.Ignore(n => n.IsIssued);
        b.OwnsOne(n => n.Text, t =>
        {
            t.ToTable(nameof(NoticeText));
            t.WithOwner().HasForeignKey("NoticeId");
        });
    }
}

internal sealed class NoticeInspectionConfiguration : IEntityTypeConfiguration<NoticeInspection>
{
    public void Configure(EntityTypeBuilder<NoticeInspection> b)
    {
        b.HasKey(i => new { i.NoticeId, i.InspectionId });
        b.HasOne(i => i.Inspection).WithMany().HasForeignKey(i => i.InspectionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class NoticeFindingConfiguration : IEntityTypeConfiguration<NoticeFinding>
{
    public void Configure(EntityTypeBuilder<NoticeFinding> b)
    {
        b.HasKey(f => new { f.NoticeId, f.FindingId });
        b.Property(f => f.Section).HasConversion<string>().HasMaxLength(20);
        b.HasOne(f => f.Finding).WithMany().HasForeignKey(f => f.FindingId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(f => f.FindingId);
    }
}

/// <summary>A link re-check made for a notice refers to it (the notices module owns that table).</summary>
internal sealed class LinkCaptureNoticeConfiguration : IEntityTypeConfiguration<Captures.LinkCapture>
{
    public void Configure(EntityTypeBuilder<Captures.LinkCapture> b) =>
        b.HasOne<Notice>().WithMany().HasForeignKey(c => c.NoticeId).OnDelete(DeleteBehavior.SetNull);
}

internal sealed class NoticeUnitFigureConfiguration : IEntityTypeConfiguration<NoticeUnitFigure>
{
    public void Configure(EntityTypeBuilder<NoticeUnitFigure> b)
    {
        b.Property(f => f.UnitName).HasMaxLength(100);
        b.HasIndex(f => new { f.UnitId, f.NoticeId });
    }
}
