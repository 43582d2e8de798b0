namespace Rectify.Findings;

/// <summary>A unit's request to move a finding's deadline (延期申请).</summary>
public class ExtensionRequest : Rectify.Auditing.IAuditable
{
    public int Id { get; set; }
    public int FindingId { get; set; }
    public Finding? Finding { get; set; }
    public DateOnly CurrentDeadline { get; set; }
    public DateOnly RequestedDeadline { get; set; }
    public string Reason { get; set; } = "";
    public string RequestedById { get; set; } = "";
    public string RequestedByName { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public ExtensionDecision Decision { get; set; } = ExtensionDecision.Pending;
    /// <summary>The deadline an approval gave: the requested one, or another the auditor chose with a reason.</summary>
    public DateOnly? GrantedDeadline { get; set; }
    public string DecisionComment { get; set; } = "";
    public string? DecidedById { get; set; }
    public string DecidedByName { get; set; } = "";
    public DateTimeOffset? DecidedAt { get; set; }
}

public enum ExtensionDecision
{
    Pending,
    Approved,
    Denied,
}
