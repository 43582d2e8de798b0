using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Time;

namespace Rectify.Comments;

public sealed class CommentOptions
{
    /// <summary>
    /// Comment mail is held to the next multiple of this interval (default 30 minutes): what one side writes
    /// meanwhile reaches each reader of the other side as one digest, not one mail per comment.
    /// </summary>
    public TimeSpan MailDigestInterval { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// A finding's conversation (留言) between the auditors and the unit's liaison. Supervisors read it; a comment is
/// mailed to the other side (auditors ↔ the unit's liaison), held to the next digest moment.
/// </summary>
public sealed class CommentService(RectifyDb db, OfficeClock clock, IOptions<CommentOptions> options, IMailOutbox mail)
{
    public const string MailTemplate = "comment";

    /// <summary>The finding's comments, oldest first; 404 when the actor may not see the finding.</summary>
    public async Task<IReadOnlyList<FindingComment>> ListAsync(int findingId, Actor actor, CancellationToken ct = default)
    {
        await VisibleFindingAsync(findingId, actor, ct);
        return await db.Set<FindingComment>().AsNoTracking().Where(c => c.FindingId == findingId)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(ct);
    }

    public async Task<FindingComment> AddAsync(int findingId, string body, Actor actor, CancellationToken ct = default)
    {
        var finding = await VisibleFindingAsync(findingId, actor, ct);
        if (!CanComment(finding, actor))
            throw RectifyException.Forbidden("comment.forbidden", "只有审核人员和责任单位联络人可以留言。", "Only auditors and the unit's liaison comment on a finding.");
        if (string.IsNullOrWhiteSpace(body))
            throw RectifyException.Invalid("comment.body_required", "请填写留言内容。", "Write the comment.");
        var comment = new FindingComment
        {
            FindingId = finding.Id,
            Body = body.Trim(),
            AuthorId = actor.Id,
            AuthorName = actor.Name,
            FromUnit = actor.IsLiaison,
            CreatedAt = clock.Now,
        };
        db.Add(comment);
        db.AuditAs("comment.added");
        await mail.EnqueueAsync(new MailRequest(MailTemplate,
            [new MailRecipient(comment.FromUnit ? RecipientKind.Auditors : RecipientKind.Liaison)],
            $"comment:{finding.Id}:{comment.CreatedAt.UtcTicks}:{actor.Id}", finding.Id, finding.UnitId,
            Values: new Dictionary<string, string> { ["comment"] = comment.Body, ["author"] = comment.AuthorName },
            NotBefore: DigestMoment(comment.CreatedAt)), ct);
        await db.SaveChangesAsync(ct);
        return comment;
    }

    /// <summary>Auditors (not of the finding's unit) and the liaison of its unit, once it is issued.</summary>
    public static bool CanComment(Finding finding, Actor actor) =>
        finding.Status != FindingStatus.Draft
        && (actor.IsAuditor && actor.UnitId != finding.UnitId || actor.IsLiaison && actor.UnitId == finding.UnitId);

    /// <summary>The first multiple of the digest interval (counted from midnight UTC) after <paramref name="at"/>.</summary>
    public DateTimeOffset DigestMoment(DateTimeOffset at)
    {
        var interval = options.Value.MailDigestInterval.Ticks;
        if (interval <= 0)
            return at;
        var ticks = at.UtcTicks;
        return new DateTimeOffset(ticks - ticks % interval + interval, TimeSpan.Zero);
    }

    private async Task<Finding> VisibleFindingAsync(int findingId, Actor actor, CancellationToken ct) =>
        await db.Set<Finding>().AsNoTracking().VisibleTo(actor)
            .SingleOrDefaultAsync(f => f.Id == findingId && (actor.IsAuditor || f.Status != FindingStatus.Draft), ct)
        ?? throw RectifyException.NotFound("finding");
}
