using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Users;

namespace Rectify.Notices;

/// <summary>
/// At start, finishes what a stopped process left staged (<see cref="IssueStaging"/>): a published staging (already
/// seen whole) is cleaned up; an unpublished issue — a notice's or a bulk one — is resumed to completion under the
/// name of the auditor who started it (its remaining chunks, the publishing, the clean-up); an unpublished import is
/// rolled back, since its file went with the process. In the background, so the app serves meanwhile; the notice's
/// page shows the progress.
/// </summary>
public sealed class StagedIssueRecovery(IServiceScopeFactory scopes, ILogger<StagedIssueRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        List<IssueStaging> left;
        await using (var scope = scopes.CreateAsyncScope())
            left = await scope.ServiceProvider.GetRequiredService<RectifyDb>().Set<IssueStaging>().AsNoTracking().OrderBy(s => s.StartedAt).ToListAsync(stoppingToken);
        foreach (var staging in left)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<ActorContext>().Actor = new Actor(staging.ActorId, staging.ActorName, UserRole.Auditor, null);
                var issuer = scope.ServiceProvider.GetRequiredService<FindingIssuer>();
                switch (staging.Kind)
                {
                    case var _ when staging.PublishedAt is not null:
                        await issuer.CleanUpAsync(staging.Id, stoppingToken);
                        break;
                    case IssueStagingKind.Notice when staging.NoticeId is { } noticeId:
                        await scope.ServiceProvider.GetRequiredService<NoticeService>().CompleteIssueAsync(noticeId, stoppingToken);
                        break;
                    case IssueStagingKind.Import:
                        await issuer.DiscardAsync(staging, stoppingToken);
                        break;
                    default:
                        await issuer.CompleteAsync(staging.Id, null, stoppingToken);
                        break;
                }
                logger.LogInformation("Staged {Kind} {Staging} left by a stopped process: {Outcome}.", staging.Kind, staging.Id,
                    staging.PublishedAt is not null ? "cleaned up" : staging.Kind == IssueStagingKind.Import ? "rolled back" : "completed");
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Left staged: the auditor's next attempt (issuing the notice again) or the next start goes on from here.
                logger.LogError(e, "Completing staged {Kind} {Staging} failed.", staging.Kind, staging.Id);
            }
        }
    }
}
