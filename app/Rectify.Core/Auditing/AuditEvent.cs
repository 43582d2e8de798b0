namespace Rectify.Auditing;

/// <summary>One change to anything, append-only: who, when, what, and the values before and after (JSON).</summary>
public class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>User id, or "system" / "workflow" for changes nobody clicked.</summary>
    public string ActorId { get; set; } = "";
    public string ActorName { get; set; } = "";
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    /// <summary>Stable action code, e.g. finding.submitted.</summary>
    public required string Action { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    /// <summary>The finding the change belongs to, so a finding's history is one query.</summary>
    public int? FindingId { get; set; }
}
