namespace Rectify.Inspections;

/// <summary>One inspection round (a month's check, a half-year assessment, a third-party check) whose findings a notice lists.</summary>
public class Inspection : Rectify.Auditing.IAuditable
{
    public int Id { get; set; }
    public required string Title { get; set; }
    public InspectionKind Kind { get; set; }
    public DateOnly PeriodStart { get; set; }
    public DateOnly PeriodEnd { get; set; }
    public string Office { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedById { get; set; } = "";
    /// <summary>The import (<see cref="Findings.IssueStaging"/>) still writing this inspection's findings; hidden until it completes.</summary>
    public string? StagingId { get; set; }
}

public enum InspectionKind
{
    MonthlyNotice,
    HalfYearAssessment,
    ThirdPartyCheck,
    SpecialInspection,
}
