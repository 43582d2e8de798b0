using Rectify.Data;
namespace Rectify.Auditing;

/// <summary>What a check of the whole audit chain found (<see cref="AuditChain.VerifyAsync"/>).</summary>
/// <param name="Entries">Entries read.</param>
/// <param name="BrokenEntries">Entries that fail a check (each judged against the row stored before it).</param>
/// <param name="FirstBreak">The first entry in chain order whose content, position or link no longer matches.</param>
/// <param name="Head">The last entry as stored.</param>
/// <param name="NoticesChecked">Issued notices whose recorded head was compared with the chain.</param>
/// <param name="AnchorBreaks">Notices whose recorded head no longer matches the entry at that position (or that entry is gone).</param>
public sealed record AuditChainReport(
    long Entries,
    long BrokenEntries,
    AuditChainBreak? FirstBreak,
    AuditChainHead? Head,
    int NoticesChecked,
    IReadOnlyList<AuditAnchor> AnchorBreaks,
    TimeSpan Elapsed)
{
    public bool IsIntact => FirstBreak is null && AnchorBreaks.Count == 0;
}

public enum AuditBreakKind
{
    /// <summary>The entry's content no longer gives its stored hash: changed, or inserted with a made-up hash.</summary>
    Content,
    /// <summary>Positions are missing before the entry: entries were deleted.</summary>
    Missing,
    /// <summary>The entry's previous-hash is not the stored hash of the entry before: that one was rewritten with a new hash.</summary>
    Link,
}

/// <summary>The first entry that fails, named by its id and position, with what it says it records.</summary>
public sealed record AuditChainBreak(
    AuditBreakKind Kind,
    long Id,
    long Sequence,
    long PreviousSequence,
    DateTimeOffset At,
    string ActorName,
    string Action,
    string EntityType,
    string EntityId)
{
    public string Message => Kind switch
    {
        AuditBreakKind.Content => $"第{Sequence}条记录（编号{Id}）的内容与其哈希不符：该记录在写入后被修改，或是被插入的。",
        AuditBreakKind.Missing => PreviousSequence + 1 == Sequence - 1
            ? $"第{Sequence}条记录（编号{Id}）之前缺少第{PreviousSequence + 1}条：该记录已被删除。"
            : $"第{Sequence}条记录（编号{Id}）之前缺少第{PreviousSequence + 1}至{Sequence - 1}条：这些记录已被删除。",
        _ => $"第{Sequence}条记录（编号{Id}）与前一条（第{PreviousSequence}条）的链接不符：前一条在写入后被改写并重算了哈希。",
    };

    public string MessageEn => Kind switch
    {
        AuditBreakKind.Content => $"Entry {Id} (sequence {Sequence}): its content no longer matches its hash; it was changed after it was written, or inserted.",
        AuditBreakKind.Missing => $"Entry {Id} (sequence {Sequence}): sequence {PreviousSequence + 1}{(Sequence - 1 > PreviousSequence + 1 ? $"–{Sequence - 1}" : "")} before it is missing; deleted.",
        _ => $"Entry {Id} (sequence {Sequence}): its link to the entry before (sequence {PreviousSequence}) no longer matches; that entry was rewritten with a new hash.",
    };
}

/// <summary>An issued notice's record of the chain's head at its issue time.</summary>
public sealed record AuditAnchor(int NoticeId, string Number, string Title, long Sequence, string Hash);

/// <summary>The recorded heads of the chain to check (an issued notice's), in sequence order; implemented by the notices module.</summary>
public interface IAuditAnchors
{
    Task<List<AuditAnchor>> ListAsync(RectifyDb db, CancellationToken ct = default);
}
