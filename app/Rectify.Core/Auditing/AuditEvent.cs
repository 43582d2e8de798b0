namespace Rectify.Auditing;

/// <summary>
/// One change to anything, append-only: who, when, what, and the values before and after (JSON). Each entry is a link
/// of a hash chain (<see cref="AuditChain"/>): its position, the previous entry's hash and the SHA-256 of its own
/// canonical content, so a row edited, removed or added in the database afterwards is found.
/// </summary>
public class AuditEvent
{
    public long Id { get; set; }
    /// <summary>Position in the chain: 1, 2, 3 … without gaps, unique.</summary>
    public long Sequence { get; set; }
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
    /// <summary>The previous entry's <see cref="Hash"/> (64 zeros for the first), lower-case hex.</summary>
    public string? PreviousHash { get; set; }
    /// <summary>SHA-256 of the canonical content, link included (lower-case hex); null only on a row from before the chain until it is sealed at start.</summary>
    public string? Hash { get; set; }
}
