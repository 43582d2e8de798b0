namespace Rectify.Data;

/// <summary>
/// Sizes the chunks of a long job (a notice's issue, an import, a catch-up of timers) by time rather than by count:
/// after each chunk the next one is scaled so that its write takes about <see cref="Target"/>, between
/// <see cref="MinSize"/> and the job's maximum, growing at most twofold, and lowered only by a chunk that wrote slower than that. On a busy machine a chunk of a fixed size
/// holds SQLite's writer turn many times longer than on a quiet one; every short write queued behind it waits that long.
/// </summary>
/// <param name="maxSize">The largest chunk.</param>
/// <param name="firstSize">The first chunk, before any was timed (default: the largest).</param>
public sealed class ChunkPacer(int maxSize, int? firstSize = null)
{
    private readonly int _maxSize = maxSize;

    public static readonly TimeSpan Target = TimeSpan.FromMilliseconds(50);
    // Smaller chunks cost more in their own queries than they save in waiting: with 5, a 10,000-finding notice went
    // out in 1,176 chunks and took 648 s under load (mixed benchmark), 121 s with 20.
    public const int MinSize = 20;

    /// <summary>The size of the next chunk.</summary>
    public int Size { get; private set; } = Math.Min(firstSize ?? maxSize, maxSize);

    /// <summary>Takes the next chunk of <paramref name="items"/> from <paramref name="offset"/> on.</summary>
    public T[] Next<T>(T[] items, int offset) => items[offset..Math.Min(items.Length, offset + Size)];

    /// <summary>A chunk of <paramref name="count"/> items was written in <paramref name="took"/>.</summary>
    public void Wrote(int count, TimeSpan took)
    {
        if (count == 0 || took <= TimeSpan.Zero)
            return;
        // At most twice the last chunk: one that wrote fast in a lull says little about a chunk five times its size.
        var next = Math.Min(count * (Target / took), 2.0 * count);
        // A chunk that wrote within the target never lowers the size: one smaller than asked (a job's tail) is mostly
        // fixed cost, and its time per item would cut the next catch-up to a few items.
        if (took <= Target)
            next = Math.Max(next, Size);
        Size = (int)Math.Clamp(next, Math.Min(MinSize, _maxSize), _maxSize);
    }
}
