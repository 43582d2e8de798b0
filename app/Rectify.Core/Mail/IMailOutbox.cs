namespace Rectify.Mail;

/// <summary>Who a message goes to, resolved against the finding's (or unit's) contacts when the message is queued.</summary>
public enum RecipientKind
{
    /// <summary>The unit's liaison (联络人).</summary>
    Liaison,
    /// <summary>The unit's leader (责任人).</summary>
    Leader,
    /// <summary>Every active supervisor.</summary>
    Supervisors,
    /// <summary>Every active auditor.</summary>
    Auditors,
    /// <summary>A fixed address given in <see cref="MailRecipient.Address"/>.</summary>
    Address,
}

public sealed record MailRecipient(RecipientKind Kind, string? Address = null);

/// <summary>
/// A message to queue: a template from templates/mail, the recipients, and what it is about.
/// <paramref name="DeduplicationKey"/> makes queuing idempotent: a second request with the same key is ignored.
/// <paramref name="NotBefore"/> holds the message back until then (default: now), so that messages held to the same
/// moment go out to each address as one digest. <paramref name="GivesWay"/> makes it a fallback: when the same save
/// queues another message about the same finding to the same address, this one is dropped and that one carries its
/// <paramref name="Values"/> (the keys it does not set itself), so the recipient gets one mail for one change.
/// </summary>
public sealed record MailRequest(
    string Template,
    IReadOnlyList<MailRecipient> To,
    string DeduplicationKey,
    int? FindingId = null,
    int? UnitId = null,
    int? NoticeId = null,
    IReadOnlyDictionary<string, string>? Values = null,
    DateTimeOffset? NotBefore = null,
    bool GivesWay = false);

/// <summary>
/// The transactional outbox. Enqueueing adds rows to the caller's <see cref="Data.RectifyDb"/> without saving,
/// so a message is written in the same transaction as the change that causes it.
/// </summary>
public interface IMailOutbox
{
    Task EnqueueAsync(MailRequest request, CancellationToken cancellationToken = default);

    /// <summary>Which of <paramref name="deduplicationKeys"/> were queued already (to any address, sent or not).</summary>
    Task<IReadOnlySet<string>> QueuedAsync(IReadOnlyCollection<string> deduplicationKeys, CancellationToken cancellationToken = default);
}

/// <summary>Without the mail module nothing is sent: queuing is a no-op.</summary>
internal sealed class NoMailOutbox : IMailOutbox
{
    public Task EnqueueAsync(MailRequest request, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlySet<string>> QueuedAsync(IReadOnlyCollection<string> deduplicationKeys, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());
}
