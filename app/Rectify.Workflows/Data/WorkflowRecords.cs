using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rectify.Workflows;

/// <summary>
/// One version of a workflow definition. <see cref="Json"/> is the Elsa 3 definition exactly as the designer (or a
/// file in workflows/) gave it, designer metadata and unknown properties included; the runtime parses it, it never
/// re-serializes it. A published version is immutable; only the draft (the latest, unpublished) is rewritten.
/// </summary>
public class WorkflowDefinitionVersion
{
    /// <summary>"{DefinitionId}:v{Version}", the id Elsa calls definitionVersionId.</summary>
    public required string Id { get; set; }
    public required string DefinitionId { get; set; }
    public int Version { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public bool IsLatest { get; set; }
    public bool IsPublished { get; set; }
    public required string Json { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }

    public static string IdFor(string definitionId, int version) => $"{definitionId}:v{version}";
}

public enum WorkflowStatus
{
    Running,
    Finished,
}

/// <summary>Elsa's sub-status names, so the instance viewer can show them as they are.</summary>
public enum WorkflowSubStatus
{
    Executing,
    Suspended,
    Finished,
    Cancelled,
    Faulted,
}

/// <summary>
/// A running (or finished) workflow of one finding. <see cref="State"/> is compact JSON: variables, join arrivals,
/// the activity execution records and the journal (the instance viewer's history). Bookmarks and timers are rows
/// of their own so they can be found by event and by due time. <see cref="Revision"/> serialises concurrent resumes.
/// </summary>
public class WorkflowInstance
{
    public required string Id { get; set; }
    public required string DefinitionId { get; set; }
    public required string DefinitionVersionId { get; set; }
    public int DefinitionVersion { get; set; }
    public int? FindingId { get; set; }
    /// <summary>Set on a workflow run as an activity of another (Elsa's WorkflowDefinitionActivity): the instance that waits for it.</summary>
    public string? ParentInstanceId { get; set; }
    /// <summary>Elsa's correlation id (Correlate, setCorrelationId), a column so a published event can find its instances.</summary>
    public string? CorrelationId { get; set; }
    public WorkflowStatus Status { get; set; }
    public WorkflowSubStatus SubStatus { get; set; }
    public string State { get; set; } = "{}";
    /// <summary>Why the instance faulted, for people (e.g. a runaway script).</summary>
    public string? Fault { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int Revision { get; set; }
}

/// <summary>An activity execution waiting for a named event (ReportSubmitted, ReportReviewed, ExtensionDecided …) of the instance's finding.</summary>
public class WorkflowBookmark
{
    public required string InstanceId { get; set; }
    public required string ActivityExecutionId { get; set; }
    public required string Name { get; set; }
    public required string ActivityId { get; set; }
    public int? FindingId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// An activity execution waiting until <see cref="DueAt"/>. A dispatcher claims due rows by a conditional update of
/// <see cref="LeaseOwner"/>/<see cref="LeaseUntil"/> and deletes the row in the same transaction as the instance's
/// update, so each timer fires once however many dispatchers run.
/// </summary>
public class WorkflowTimer : Data.ILeased
{
    public required string InstanceId { get; set; }
    public required string ActivityExecutionId { get; set; }
    public required string ActivityId { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
}

internal sealed class WorkflowDefinitionVersionConfiguration : IEntityTypeConfiguration<WorkflowDefinitionVersion>
{
    public void Configure(EntityTypeBuilder<WorkflowDefinitionVersion> b)
    {
        b.ToTable("WorkflowDefinitions");
        b.Property(x => x.Id).HasMaxLength(200);
        b.Property(x => x.DefinitionId).HasMaxLength(150);
        b.HasIndex(x => new { x.DefinitionId, x.Version }).IsUnique();
    }
}

internal sealed class WorkflowInstanceConfiguration : IEntityTypeConfiguration<WorkflowInstance>
{
    public void Configure(EntityTypeBuilder<WorkflowInstance> b)
    {
        b.ToTable("WorkflowInstances");
        b.Property(x => x.Id).HasMaxLength(40);
        b.Property(x => x.DefinitionId).HasMaxLength(150);
        b.Property(x => x.DefinitionVersionId).HasMaxLength(200);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.SubStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Revision).IsConcurrencyToken();
        b.HasIndex(x => x.FindingId);
        b.Property(x => x.ParentInstanceId).HasMaxLength(40);
        b.Property(x => x.CorrelationId).HasMaxLength(200);
        b.HasOne<Findings.Finding>().WithMany().HasForeignKey(x => x.FindingId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WorkflowBookmarkConfiguration : IEntityTypeConfiguration<WorkflowBookmark>
{
    public void Configure(EntityTypeBuilder<WorkflowBookmark> b)
    {
        b.ToTable("WorkflowBookmarks");
        b.HasKey(x => new { x.InstanceId, x.ActivityExecutionId, x.Name });
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasIndex(x => new { x.FindingId, x.Name });
        b.HasOne<WorkflowInstance>().WithMany().HasForeignKey(x => x.InstanceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WorkflowTimerConfiguration : IEntityTypeConfiguration<WorkflowTimer>
{
    public void Configure(EntityTypeBuilder<WorkflowTimer> b)
    {
        b.ToTable("WorkflowTimers");
        b.HasKey(x => new { x.InstanceId, x.ActivityExecutionId });
        // The dispatcher's query: due rows in order.
        b.HasIndex(x => x.DueAt);
        b.HasOne<WorkflowInstance>().WithMany().HasForeignKey(x => x.InstanceId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Where the demonstration clock stands (one row, Id 1): kept so that after a restart the app's time resumes there,
/// with the mail, timers and reports stamped in demo time still in order.
/// </summary>
public class DemoClockPosition
{
    public int Id { get; set; }
    public DateTimeOffset Position { get; set; }
}

internal sealed class DemoClockPositionConfiguration : IEntityTypeConfiguration<DemoClockPosition>
{
    public void Configure(EntityTypeBuilder<DemoClockPosition> b)
    {
        b.ToTable("DemoClock");
        b.Property(x => x.Id).ValueGeneratedNever();
    }
}
