using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rectify.Data;

namespace Rectify.Mail;

/// <summary>
/// One message to one address, written in the same transaction as the change that causes it with the view model
/// of that moment (<see cref="ModelJson"/>), so it says what was true then; the sender renders it before the first
/// attempt and keeps the rendering for every retry. The sender claims due rows with a lease; rows due to one address
/// at the same moment are sent together as one digest (they share a <see cref="BatchId"/> and so one Message-Id).
/// </summary>
public class OutboxMessage : Data.ILeased
{
    public long Id { get; set; }
    /// <summary>The template from templates/mail (assigned, reminder …).</summary>
    public required string Template { get; set; }
    /// <summary>Unique per address: a second enqueue with the same key and address is ignored.</summary>
    public required string DeduplicationKey { get; set; }
    public RecipientKind RecipientKind { get; set; }
    public string RecipientAddress { get; set; } = "";
    public string RecipientName { get; set; } = "";
    public int? FindingId { get; set; }
    /// <summary>The unit the message is about; a liaison sees the messages to its own unit.</summary>
    public int? UnitId { get; set; }
    public int? NoticeId { get; set; }
    /// <summary>The view model the template renders, as JSON, taken when the message was queued (null for a row that failed then).</summary>
    public string? ModelJson { get; set; }
    /// <summary>Empty until the sender renders the row, before its first attempt.</summary>
    public string Subject { get; set; } = "";
    public string HtmlBody { get; set; } = "";
    public string TextBody { get; set; } = "";
    public OutboxStatus Status { get; set; } = OutboxStatus.Pending;
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Not before this instant: now when queued, later after a failed attempt (backoff).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>Set on the first attempt: the id of the batch's first row; the Message-Id is derived from it.</summary>
    public long? BatchId { get; set; }
    /// <summary>The sender run holding the row until <see cref="LeaseUntil"/>; another node skips it meanwhile.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
}

public enum OutboxStatus
{
    /// <summary>待发送.</summary>
    Pending,
    /// <summary>已发送.</summary>
    Sent,
    /// <summary>失败: the give-up period passed, the message had no address, or its template failed when it was rendered.</summary>
    Failed,
}

/// <summary>One delivery attempt of a batch: when, whether the server took it, and why not.</summary>
public class OutboxAttempt
{
    public long Id { get; set; }
    public long BatchId { get; set; }
    public DateTimeOffset At { get; set; }
    public bool Succeeded { get; set; }
    public string? Error { get; set; }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("OutboxMessages");
        b.Property(m => m.Template).HasMaxLength(100);
        b.Property(m => m.DeduplicationKey).HasMaxLength(200);
        b.Property(m => m.RecipientKind).HasConversion<string>().HasMaxLength(20);
        b.Property(m => m.RecipientAddress).HasMaxLength(320);
        b.Property(m => m.RecipientName).HasMaxLength(100);
        b.Property(m => m.Subject).HasMaxLength(500);
        b.Property(m => m.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(m => m.LeaseOwner).HasMaxLength(64);
        b.HasIndex(m => new { m.DeduplicationKey, m.RecipientAddress }).IsUnique();
        // The sender looks for due pending rows; the list orders by time.
        b.HasIndex(m => new { m.Status, m.NextAttemptAt });
        // Only digests have a batch.
        b.HasIndex(m => m.BatchId).OnlyWhereSet();
        b.HasIndex(m => new { m.UnitId, m.CreatedAt });
        b.HasIndex(m => m.CreatedAt);
    }
}

internal sealed class OutboxAttemptConfiguration : IEntityTypeConfiguration<OutboxAttempt>
{
    public void Configure(EntityTypeBuilder<OutboxAttempt> b)
    {
        b.ToTable("OutboxAttempts");
        b.Property(a => a.Error).HasMaxLength(2000);
        b.HasIndex(a => a.BatchId);
    }
}
