using Rectify.Findings;

namespace Rectify.Workflows;

/// <summary>Starts the rectification workflow of findings; implemented by the workflow runtime.</summary>
public interface IFindingWorkflows
{
    /// <summary>
    /// Creates and runs (up to its first wait) one workflow instance per draft finding, on the caller's
    /// <see cref="Data.RectifyDb"/>; the caller saves, so the findings' change and the instances commit together.
    /// Uses the latest published version of the default definition unless <paramref name="definitionId"/> is given.
    /// </summary>
    Task StartAsync(IReadOnlyList<Finding> findings, string? definitionId = null, CancellationToken cancellationToken = default);
}

/// <summary>What the finding's workflow (its instance's version, or the default definition for a draft) says about deadlines.</summary>
public interface IDeadlineSettings
{
    Task<DeadlineSettings> ForAsync(Finding finding, CancellationToken cancellationToken = default);
}

/// <summary>Without a workflow runtime: the drafts' deadlines are resolved and the findings assigned at once.</summary>
internal sealed class AssignWithoutWorkflow(FindingDeadline deadlines, Time.OfficeClock clock) : IFindingWorkflows
{
    public Task StartAsync(IReadOnlyList<Finding> findings, string? definitionId = null, CancellationToken cancellationToken = default)
    {
        var drafts = findings.Where(f => f.Status == FindingStatus.Draft).ToList();
        deadlines.ResolveForIssue(drafts);
        foreach (var finding in drafts)
            finding.Assign(clock);
        return Task.CompletedTask;
    }
}

/// <summary>Without a workflow runtime: the default settings.</summary>
internal sealed class DefaultDeadlineSettings : IDeadlineSettings
{
    public Task<DeadlineSettings> ForAsync(Finding finding, CancellationToken cancellationToken = default) => Task.FromResult(DeadlineSettings.Default);
}

/// <summary>
/// <paramref name="ReturnDeadlineDays"/>: working days a returned report gives (the ReviewReport step's input);
/// <paramref name="FirstReminderDays"/>: working days before the deadline of the earliest reminder (0 when none).
/// </summary>
public sealed record DeadlineSettings(int ReturnDeadlineDays, int FirstReminderDays)
{
    public static readonly DeadlineSettings Default = new(5, 0);
}

/// <summary>What a finding's workflow waits for; implemented by the workflow runtime (without it, no workflow runs).</summary>
public interface IFindingWorkflowState
{
    /// <summary>Whether the finding's workflow waits for <paramref name="eventName"/> now, or no workflow runs for it.</summary>
    Task<bool> WaitsForAsync(int findingId, string eventName, CancellationToken ct = default);
}
