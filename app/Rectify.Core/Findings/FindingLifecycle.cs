using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Reports;
using Rectify.Time;
using Rectify.Workflows;

namespace Rectify.Findings;

/// <summary>
/// The user actions on an issued finding as the application runs them: load the finding the actor may see,
/// authorize, let the finding's own method (<see cref="Finding"/>) check its rule and change it, and save — the
/// recorded events reach their handlers (workflow, mail, captures) inside that save, so everything commits together.
/// A concurrent change is retried.
/// </summary>
public sealed class FindingLifecycle(
    RectifyDb db, OfficeClock clock, FindingDeadline deadlines, IFindingWorkflowState? workflows = null)
{
    private const int MaxConcurrencyRetries = 5;

    public Task<RectificationReport> SubmitReportAsync(int findingId, ReportContent content, Actor actor, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, finding =>
        {
            if (!actor.IsLiaison)
                throw RectifyException.Forbidden("report.submit_forbidden", "只有责任单位联络人可以提交整改报告。", "Only the unit's liaison submits reports.");
            return Task.FromResult(finding.SubmitReport(content, actor, clock));
        }, ct);

    /// <summary>
    /// Accepts or returns a report. A return gives the later of the current deadline and the return date plus the
    /// workflow's working days (<see cref="FindingDeadline.ProposedOnReturnAsync"/>); the auditor may choose a later
    /// <paramref name="returnDeadline"/>, never an earlier one (finding.return_deadline_too_early).
    /// </summary>
    public Task<RectificationReport> ReviewAsync(int findingId, int reportId, bool accept, string comment, Actor actor,
        DateOnly? returnDeadline = null, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, async finding =>
        {
            var report = finding.Reports.SingleOrDefault(r => r.Id == reportId) ?? throw RectifyException.NotFound("report");
            var deadline = accept ? finding.Deadline : await deadlines.ProposedOnReturnAsync(finding, ct);
            if (!accept && returnDeadline is { } chosen)
            {
                if (chosen < deadline)
                    throw RectifyException.Invalid("finding.return_deadline_too_early",
                        $"退回后的整改期限不能早于 {deadline:yyyy-MM-dd}（当前期限与退回日起规定工作日数中较晚者）。",
                        $"The deadline after a return cannot be earlier than {deadline:yyyy-MM-dd}.");
                deadline = chosen;
            }
            if (accept)
                finding.Accept(report, comment, actor, clock);
            else
                finding.Return(report, comment, deadline, actor, clock);
            return report;
        }, ct);

    /// <summary>
    /// The unit takes its report back before the review: the finding is open again (退回 when an earlier report was
    /// returned, else 待整改) and its workflow waits for a report again. Refused when the finding's workflow gives no
    /// way back (its review step has no Withdrawn connection: report.withdraw_not_in_workflow).
    /// </summary>
    public Task<RectificationReport> WithdrawReportAsync(int findingId, int reportId, Actor actor, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, async finding =>
        {
            if (!actor.IsLiaison)
                throw RectifyException.Forbidden("report.withdraw_forbidden", "只有责任单位联络人可以撤回整改报告。", "Only the unit's liaison withdraws its report.");
            var report = finding.Reports.SingleOrDefault(r => r.Id == reportId) ?? throw RectifyException.NotFound("report");
            if (report.Decision == ReviewDecision.Pending && finding.Status == FindingStatus.Submitted && !await WithdrawalWaitedForAsync(finding.Id, ct))
                throw new RectifyException("report.withdraw_not_in_workflow", "本问题的整改流程不支持撤回报告，请联系审核人员。",
                    "This finding's workflow does not allow withdrawing a report; ask an auditor.");
            finding.WithdrawReport(report, actor, clock);
            return report;
        }, ct);

    /// <summary>Whether a withdrawal may happen now: no workflow runs for the finding, or it waits for one.</summary>
    public Task<bool> WithdrawalWaitedForAsync(int findingId, CancellationToken ct = default) =>
        workflows?.WaitsForAsync(findingId, nameof(ReportWithdrawn), ct) ?? Task.FromResult(true);

    public Task<ExtensionRequest> RequestExtensionAsync(int findingId, DateOnly newDeadline, string reason, Actor actor, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, finding =>
        {
            if (!actor.IsLiaison)
                throw RectifyException.Forbidden("extension.request_forbidden", "只有责任单位联络人可以申请延期。", "Only the unit's liaison requests extensions.");
            return Task.FromResult(finding.RequestExtension(newDeadline, reason, actor, clock));
        }, ct);

    /// <summary>Moves an issued finding's deadline on an auditor's edit; the reason is required and the date may not be in the past.</summary>
    public Task<Finding> ChangeDeadlineAsync(int findingId, DateOnly deadline, string reason, Actor actor, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, finding =>
        {
            finding.ChangeDeadline(deadline, reason, actor, clock);
            return Task.FromResult(finding);
        }, ct);

    /// <summary>Approves (by default the requested date; another needs a reason) or denies an extension request.</summary>
    public Task<ExtensionRequest> DecideExtensionAsync(int findingId, int requestId, bool approve, string comment, Actor actor,
        DateOnly? granted = null, CancellationToken ct = default) =>
        ChangeAsync(findingId, actor, finding =>
        {
            var request = finding.ExtensionRequests.SingleOrDefault(x => x.Id == requestId) ?? throw RectifyException.NotFound("extension");
            finding.DecideExtension(request, approve, comment, actor, clock, granted);
            return Task.FromResult(request);
        }, ct);

    // Every report and review loads its finding this way, many at once: compiled, it skips building and looking up
    // the query each time. Category and inspection are what the mails the change queues show; joined, they cost no
    // statement of their own. A liaison sees its own unit's findings only (FindingQueries.VisibleTo). The collections
    // follow by the finding's id (FindingParts).
    private static readonly CompiledPerModel<Func<RectifyDb, int, bool, int?, CancellationToken, Task<Finding?>>> ChangedFinding =
        new(() => EF.CompileAsyncQuery((RectifyDb db, int id, bool liaison, int? unitId, CancellationToken ct) => db.Set<Finding>()
            .Include(f => f.Unit)
            .Include(f => f.Category)
            .Include(f => f.Inspection)
            .SingleOrDefault(f => f.Id == id && (!liaison || f.UnitId == unitId))));

    // One open for the three statements: each open of a SQLite connection registers EF's functions on it again.
    private Task<Finding?> LoadChangedAsync(int findingId, Actor actor, CancellationToken ct) =>
        OpenConnection.RunAsync(db, async () =>
        {
            var finding = await ChangedFinding.For(db)(db, findingId, actor.IsLiaison, actor.UnitId, ct);
            if (finding is not null)
            {
                await FindingParts.LoadReportsAsync(db, finding, ct);
                await FindingParts.LoadExtensionRequestsAsync(db, finding, ct);
            }
            return finding;
        }, ct);

    /// <summary>Loads the finding the actor may see (404 otherwise), applies the change and saves it atomically.</summary>
    private async Task<T> ChangeAsync<T>(int findingId, Actor actor, Func<Finding, Task<T>> change, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var finding = await LoadChangedAsync(findingId, actor, ct)
                ?? throw RectifyException.NotFound("finding");
            try
            {
                var result = await change(finding);
                // These saves are short and arrive many at once (each unit's liaison, each review): they share commits.
                db.CommitsInGroup = true;
                await db.SaveChangesAsync(ct);
                return result;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConcurrencyRetries)
            {
                db.ChangeTracker.Clear();
            }
            catch
            {
                // Nothing of a refused change may linger in this context.
                db.ChangeTracker.Clear();
                throw;
            }
            finally
            {
                db.CommitsInGroup = false;
            }
        }
    }
}
