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
