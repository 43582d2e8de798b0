using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rectify.Auditing;
using Rectify.Categories;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Reports;
using Rectify.Units;
using Rectify.Users;

namespace Rectify.Data;

internal sealed class UnitConfiguration : IEntityTypeConfiguration<Unit>
{
    public void Configure(EntityTypeBuilder<Unit> b)
    {
        b.Property(u => u.Name).HasMaxLength(100);
        b.HasIndex(u => u.Name).IsUnique();
        b.Property(u => u.Aliases).HasMaxLength(500);
        b.Property(u => u.Kind).HasConversion<string>().HasMaxLength(20);
        b.HasOne(u => u.Parent).WithMany().HasForeignKey(u => u.ParentId).OnDelete(DeleteBehavior.Restrict);
        b.ComplexProperty(u => u.Leader);
        b.ComplexProperty(u => u.Liaison);
    }
}

internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> b)
    {
        b.Property(u => u.Role).HasConversion<string>().HasMaxLength(20);
        b.Property(u => u.DisplayName).HasMaxLength(100);
        b.HasOne(u => u.Unit).WithMany().HasForeignKey(u => u.UnitId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    public void Configure(EntityTypeBuilder<Category> b)
    {
        b.Property(c => c.Name).HasMaxLength(50);
        b.HasIndex(c => c.Name).IsUnique();
    }
}

internal sealed class InspectionConfiguration : IEntityTypeConfiguration<Inspection>
{
    public void Configure(EntityTypeBuilder<Inspection> b)
    {
        b.Property(i => i.Title).HasMaxLength(200);
        b.Property(i => i.Kind).HasConversion<string>().HasMaxLength(30);
        // Its query filter is RectifyDb's: it reads the staging.
        b.Property(i => i.StagingId).HasMaxLength(IssueStaging.IdLength);
    }
}

internal sealed class FindingConfiguration : IEntityTypeConfiguration<Finding>
{
    public void Configure(EntityTypeBuilder<Finding> b)
    {
        b.Property(f => f.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(f => f.Severity).HasConversion<string>().HasMaxLength(20);
        b.Property(f => f.Version).IsConcurrencyToken();
        b.Property(f => f.Location).HasMaxLength(1000);
        b.Property(f => f.DeadlineReason).HasMaxLength(500);
        b.HasOne(f => f.Inspection).WithMany().HasForeignKey(f => f.InspectionId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(f => f.Unit).WithMany().HasForeignKey(f => f.UnitId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(f => f.Category).WithMany().HasForeignKey(f => f.CategoryId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(f => f.Reports).WithOne(r => r.Finding).HasForeignKey(r => r.FindingId);
        b.HasMany(f => f.ExtensionRequests).WithOne(x => x.Finding).HasForeignKey(x => x.FindingId);
        // The finding list filters by unit and status and orders by deadline.
        b.HasIndex(f => new { f.UnitId, f.Status, f.Deadline });
        b.HasIndex(f => new { f.Status, f.Deadline });
        // The unfiltered ledger: its first page without sorting every finding.
        b.HasIndex(f => f.Deadline);
        // The dashboard counts by unit, status and overdue in one pass over this index alone.
        b.HasIndex(f => new { f.UnitId, f.Status, f.IsOverdue });
        b.HasIndex(f => f.InspectionId);
        b.Property(f => f.StagingId).HasMaxLength(IssueStaging.IdLength);
        b.HasIndex(f => f.StagingId);
        // Its query filter is RectifyDb's: it reads the staging.
        b.Ignore(f => f.IsOpen);
    }
}

internal sealed class RectificationReportConfiguration : IEntityTypeConfiguration<RectificationReport>
{
    public void Configure(EntityTypeBuilder<RectificationReport> b)
    {
        b.Property(r => r.Decision).HasConversion<string>().HasMaxLength(20);
        b.HasMany(r => r.Evidence).WithOne(e => e.Report).HasForeignKey(e => e.ReportId);
        b.Ignore(r => r.LinkList);
    }
}

internal sealed class EvidenceFileConfiguration : IEntityTypeConfiguration<EvidenceFile>
{
    public void Configure(EntityTypeBuilder<EvidenceFile> b)
    {
        b.Property(e => e.FileName).HasMaxLength(255);
        b.Property(e => e.ContentType).HasMaxLength(100);
        b.Property(e => e.StorageKey).HasMaxLength(300);
    }
}

internal sealed class ExtensionRequestConfiguration : IEntityTypeConfiguration<ExtensionRequest>
{
    public void Configure(EntityTypeBuilder<ExtensionRequest> b) =>
        b.Property(x => x.Decision).HasConversion<string>().HasMaxLength(20);
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> b)
    {
        b.Property(a => a.Action).HasMaxLength(60);
        b.Property(a => a.EntityType).HasMaxLength(60);
        b.Property(a => a.EntityId).HasMaxLength(60);
        // A finding's history is read by its id. No index by entity: no query looks entries up so, and it would cost
        // every save a page written at random.
        b.HasIndex(a => a.FindingId);
        // One entry per position: a node that appended without the chain's lock would fail here rather than fork it.
        b.HasIndex(a => a.Sequence).IsUnique();
        b.Property(a => a.PreviousHash).HasMaxLength(64);
        b.Property(a => a.Hash).HasMaxLength(64);
    }
}
