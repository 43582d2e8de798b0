using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Todo;

namespace Rectify.Mail.Outbox;

/// <summary>Mails the outbox gave up on, for the staff's to-do lists.</summary>
public sealed class FailedMails(RectifyDb db) : IFailedMails
{
    private IQueryable<OutboxMessage> Failed => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Status == OutboxStatus.Failed);

    public Task<int> CountAsync(CancellationToken ct = default) => Failed.CountAsync(ct);

    public Task<TodoSection<TodoMail>> ListAsync(int take, CancellationToken ct = default) =>
        TodoSection.OfAsync(Failed.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Select(m => new TodoMail(m.Id, m.Subject, m.Template, m.RecipientName, m.RecipientAddress, m.LastError, m.FindingId, m.CreatedAt)), take, ct);
}
