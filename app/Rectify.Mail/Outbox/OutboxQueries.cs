using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Data;

namespace Rectify.Mail.Outbox;

/// <summary>One line of the outbox list (邮件).</summary>
public sealed record OutboxEntry(
    long Id,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt,
    string Template,
    string RecipientName,
    string RecipientAddress,
    string Subject,
    OutboxStatus Status,
    string StatusName,
    int Attempts,
    string? LastError,
    long? BatchId,
    int? FindingId,
    int? UnitId,
    DateTimeOffset? NextTryAt);

/// <summary>What the outbox list shows: everything to auditors and supervisors, a liaison only what went to its own unit.</summary>
public sealed class OutboxQueries(RectifyDb db, MailComposer composer, MailSender sender)
{
    public async Task<List<OutboxEntry>> ListAsync(Actor actor, OutboxStatus? status = null, int take = 200, CancellationToken ct = default)
    {
        var query = db.Set<OutboxMessage>().AsNoTracking().VisibleTo(actor);
        if (status is { } s)
            query = query.Where(m => m.Status == s);
        var rows = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(Math.Clamp(take, 1, 1000)).ToListAsync(ct);
        return rows.Select(m => new OutboxEntry(
            m.Id, m.CreatedAt, m.SentAt, m.Template, m.RecipientName, m.RecipientAddress, m.Subject,
            m.Status, StatusName(m.Status), m.Attempts, m.LastError, m.BatchId, m.FindingId, m.UnitId, NextTry(m))).ToList();
    }

    /// <summary>
    /// The message as sent (or as it will be sent), in .eml form: the file written under data/outbox/ when there is
    /// one, else composed from the stored rows. Messages the actor may not see are not found.
    /// </summary>
    public async Task<(string FileName, byte[] Content)> EmlAsync(long id, Actor actor, CancellationToken ct = default)
    {
        var message = await db.Set<OutboxMessage>().AsNoTracking().VisibleTo(actor).SingleOrDefaultAsync(m => m.Id == id, ct)
                      ?? throw RectifyException.NotFound("mail");
        var batchId = message.BatchId ?? message.Id;
        var fileName = MailSender.EmlFileName(batchId);
        var file = Path.Combine(sender.EmlDirectory, fileName);
        if (message.Status == OutboxStatus.Sent && File.Exists(file))
            return (fileName, await File.ReadAllBytesAsync(file, ct));
        var batch = message.BatchId is { } b
            ? await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.BatchId == b).OrderBy(m => m.Id).ToListAsync(ct)
            : [message];
        using var stream = new MemoryStream();
        await (await composer.ComposeAsync(batch)).WriteToAsync(stream, ct);
        return (fileName, stream.ToArray());
    }

    /// <summary>
    /// When an unsent message is tried next: its backoff instant, or when the lease of a sender that holds it runs out
    /// (a sender that died holding it). The sender's next poll after that moment takes it.
    /// </summary>
    public static DateTimeOffset? NextTry(OutboxMessage m) =>
        m.Status != OutboxStatus.Pending ? null
        : m.LeaseUntil is { } lease && lease > m.NextAttemptAt ? lease
        : m.NextAttemptAt;

    public static string StatusName(OutboxStatus status) => status switch
    {
        OutboxStatus.Pending => "待发送",
        OutboxStatus.Sent => "已发送",
        _ => "失败",
    };
}

public static class OutboxMessageQueries
{
    public static IQueryable<OutboxMessage> VisibleTo(this IQueryable<OutboxMessage> messages, Actor actor) =>
        actor.IsLiaison
            ? messages.Where(m => m.UnitId == actor.UnitId && (m.RecipientKind == RecipientKind.Liaison || m.RecipientKind == RecipientKind.Leader))
            : messages;
}
