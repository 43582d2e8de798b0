using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Mail.Templates;
using Rectify.Reports;
using Rectify.Time;
using Rectify.Units;
using Rectify.Users;

namespace Rectify.Mail.Outbox;

/// <summary>
/// Queues messages on the caller's <see cref="RectifyDb"/> without saving: the rows commit with the caller's change
/// or not at all. Each recipient gets its own row, rendered now from a view model of the finding as it is now.
/// </summary>
public sealed class MailOutbox(
    RectifyDb db,
    TemplateRenderer renderer,
    OfficeClock clock,
    IOptions<MailOptions> options,
    IOptions<OfficeOptions> office,
    ILogger<MailOutbox> logger) : IMailOutbox
{
    internal static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // What this scope has queued and not yet saved. Scanning the change tracker instead would run DetectChanges over
    // every tracked entity per message: quadratic when a notice starts a thousand workflows in one transaction.
    // A context cleared for a retry detaches them, so only rows still Added count.
    private readonly Dictionary<(string Key, string Address), OutboxMessage> _queued = [];

    public async Task EnqueueAsync(MailRequest request, CancellationToken cancellationToken = default)
    {
        var finding = request.FindingId is { } findingId ? await LoadFindingAsync(findingId, cancellationToken) : null;
        var unitId = finding?.UnitId ?? request.UnitId;
        var unit = finding?.Unit ?? (unitId is { } id ? await db.Set<Unit>().FindAsync([id], cancellationToken) : null);
        var now = clock.Now;

        foreach (var recipient in await ResolveAsync(request.To, unit, cancellationToken))
        {
            if (await IsQueuedAsync(request.DeduplicationKey, recipient.Address, cancellationToken))
                continue;
            var message = new OutboxMessage
            {
                Template = request.Template,
                DeduplicationKey = request.DeduplicationKey,
                RecipientKind = recipient.Kind,
                RecipientAddress = recipient.Address,
                RecipientName = recipient.Name,
                FindingId = finding?.Id ?? request.FindingId,
                UnitId = unitId,
                NoticeId = request.NoticeId,
                CreatedAt = now,
                NextAttemptAt = now,
            };
            if (recipient.Address.Length == 0)
            {
                Fail(message, recipient.Kind == RecipientKind.Leader ? "单位未登记责任人邮箱，无法发送。" : "单位未登记联络人邮箱，无法发送。");
            }
            else
            {
                var model = Model(recipient, finding, unit, request.Values);
                try
                {
                    var rendered = renderer.Render(request.Template, model);
                    message.Subject = rendered.Subject.Length > 500 ? rendered.Subject[..500] : rendered.Subject;
                    message.HtmlBody = rendered.Html;
                    message.TextBody = rendered.Text;
                    message.DigestItemJson = JsonSerializer.Serialize(new DigestItemView(request.Template, message.Subject, model.Link, model.Finding), Json);
                }
                catch (TemplateRenderException e)
                {
                    // The change that caused the mail still stands; the failed message is visible in the outbox list.
                    logger.LogError("Mail {Template} to {Address} not rendered: {Error}", request.Template, recipient.Address, e.Message);
                    Fail(message, e.Message);
                }
            }
            db.Add(message);
            _queued[(request.DeduplicationKey, recipient.Address)] = message;
        }
    }

    private static void Fail(OutboxMessage message, string error)
    {
        message.Status = OutboxStatus.Failed;
        message.LastError = error;
    }

    /// <summary>A row queued earlier in this scope or a stored one with the same key and address.</summary>
    private async Task<bool> IsQueuedAsync(string key, string address, CancellationToken ct) =>
        _queued.TryGetValue((key, address), out var queued) && db.Entry(queued).State == EntityState.Added
        || await db.Set<OutboxMessage>().AnyAsync(m => m.DeduplicationKey == key && m.RecipientAddress == address, ct);

    /// <summary>The finding as the caller sees it (tracked changes included), with what the templates show.</summary>
    private async Task<Finding?> LoadFindingAsync(int id, CancellationToken ct)
    {
        // FindAsync answers a tracked finding from the identity map, without a query and without DetectChanges.
        var finding = await db.Set<Finding>().FindAsync([id], ct);
        if (finding is null)
            return null;
        var entry = db.Entry(finding);
        if (entry.State == EntityState.Added)
            return finding;
        foreach (var reference in new ReferenceEntry[] { entry.Reference(f => f.Unit), entry.Reference(f => f.Category), entry.Reference(f => f.Inspection) })
        {
            if (!reference.IsLoaded)
                await reference.LoadAsync(ct);
        }
        if (!entry.Collection(f => f.Reports).IsLoaded)
            await entry.Collection(f => f.Reports).LoadAsync(ct);
        if (!entry.Collection(f => f.ExtensionRequests).IsLoaded)
            await entry.Collection(f => f.ExtensionRequests).LoadAsync(ct);
        return finding;
    }

    private sealed record Recipient(RecipientKind Kind, string Address, string Name);

    private async Task<List<Recipient>> ResolveAsync(IReadOnlyList<MailRecipient> to, Unit? unit, CancellationToken ct)
    {
        var recipients = new List<Recipient>();
        foreach (var r in to)
        {
            switch (r.Kind)
            {
                case RecipientKind.Liaison when unit is not null:
                    if (unit.Liaison.Email.Length > 0)
                        recipients.Add(new(r.Kind, unit.Liaison.Email.Trim(), unit.Liaison.Name));
                    else
                    {
                        // No address in the contact table: the unit's liaison accounts, or a visible failure.
                        var users = await UsersAsync(u => u.Role == UserRole.UnitLiaison && u.UnitId == unit.Id, r.Kind, ct);
                        recipients.AddRange(users.Count > 0 ? users : [new Recipient(r.Kind, "", unit.Liaison.Name)]);
                    }
                    break;
                case RecipientKind.Leader when unit is not null:
                    recipients.Add(new(r.Kind, unit.Leader.Email.Trim(), unit.Leader.Name));
                    break;
                case RecipientKind.Supervisors:
                    recipients.AddRange(await UsersAsync(u => u.Role == UserRole.Supervisor, r.Kind, ct));
                    break;
                case RecipientKind.Auditors:
                    recipients.AddRange(await UsersAsync(u => u.Role == UserRole.Auditor, r.Kind, ct));
                    break;
                case RecipientKind.Address when !string.IsNullOrWhiteSpace(r.Address):
                    recipients.Add(new(r.Kind, r.Address.Trim(), ""));
                    break;
                default:
                    logger.LogWarning("Mail recipient {Kind} has no address (unit {Unit}); skipped.", r.Kind, unit?.Name);
                    break;
            }
        }
        return recipients.DistinctBy(r => r.Address.ToLowerInvariant()).ToList();
    }

    private async Task<List<Recipient>> UsersAsync(System.Linq.Expressions.Expression<Func<AppUser, bool>> which, RecipientKind kind, CancellationToken ct) =>
        (await db.Users.Where(which).Where(u => u.IsActive && u.Email != null && u.Email != "")
            .OrderBy(u => u.Email).Select(u => new { u.Email, u.DisplayName }).ToListAsync(ct))
        .Select(u => new Recipient(kind, u.Email!.Trim(), u.DisplayName)).ToList();

    private MailModel Model(Recipient recipient, Finding? finding, Unit? unit, IReadOnlyDictionary<string, string>? values)
    {
        var baseUrl = options.Value.BaseUrl.TrimEnd('/');
        var isLiaison = recipient.Kind is RecipientKind.Liaison or RecipientKind.Leader;
        var findingView = finding is null ? null : View(finding, baseUrl);
        return new MailModel(
            baseUrl,
            office.Value.Name,
            Date(clock.Today),
            new RecipientView(recipient.Name, recipient.Address, recipient.Kind.ToString(), isLiaison),
            findingView?.Link ?? baseUrl + (isLiaison ? "/my" : "/dashboard"),
            findingView,
            unit is null ? null : new UnitView(unit.Id, unit.Name, unit.Leader.Name, unit.Liaison.Name),
            values?.ToDictionary(kv => kv.Key, kv => (object?)kv.Value) ?? new Dictionary<string, object?>());
    }

    private FindingView View(Finding f, string baseUrl)
    {
        var report = f.Reports.OrderByDescending(r => r.SubmittedAt).ThenByDescending(r => r.Id).FirstOrDefault();
        var extension = f.ExtensionRequests.OrderByDescending(x => x.RequestedAt).ThenByDescending(x => x.Id).FirstOrDefault();
        return new FindingView(
            f.Id,
            $"{baseUrl}/findings/{f.Id}",
            f.Unit?.Name ?? "",
            f.Category?.Name ?? "",
            f.Inspection?.Title ?? "",
            f.Location,
            f.Description,
            f.Requirement,
            f.Severity switch { Severity.Serious => "严重", Severity.Minor => "轻微", _ => "一般" },
            Date(f.Deadline),
            f.Deadline.ToString("yyyy-MM-dd"),
            clock.DaysLeft(f.Deadline),
            f.Status.DisplayName(),
            f.IsOverdue,
            report is null ? null : new ReportView(
                report.SubmittedByName,
                Date(DateOnly.FromDateTime(clock.ToLocal(report.SubmittedAt).DateTime)),
                report.IsFullyRectified,
                report.Measures,
                report.Decision switch { ReviewDecision.Accepted => "通过", ReviewDecision.Returned => "退回", _ => "待审核" },
                report.ReviewComment,
                report.ReviewedByName),
            extension is null ? null : new ExtensionView(
                extension.RequestedByName,
                Date(extension.CurrentDeadline),
                Date(extension.RequestedDeadline),
                extension.Reason,
                extension.Decision == ExtensionDecision.Approved,
                extension.Decision switch { ExtensionDecision.Approved => "同意", ExtensionDecision.Denied => "不同意", _ => "待审批" },
                extension.DecisionComment));
    }

    internal static string Date(DateOnly date) => $"{date.Year}年{date.Month}月{date.Day}日";
}
