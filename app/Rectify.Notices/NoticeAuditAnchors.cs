using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Data;

namespace Rectify.Notices;

/// <summary>The chain heads issued notices recorded, for <see cref="AuditChain.VerifyAsync"/>.</summary>
public sealed class NoticeAuditAnchors : IAuditAnchors
{
    public Task<List<AuditAnchor>> ListAsync(RectifyDb db, CancellationToken ct = default) =>
        db.Set<Notice>().AsNoTracking()
            .Where(n => n.AuditHeadSequence != null)
            .OrderBy(n => n.AuditHeadSequence).ThenBy(n => n.Id)
            .Select(n => new AuditAnchor(n.Id, n.Number, n.Title, n.AuditHeadSequence!.Value, n.AuditHeadHash ?? ""))
            .ToListAsync(ct);
}
