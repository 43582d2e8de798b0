using Rectify.Data;

namespace Rectify.Core.Tests;

/// <summary>The size of a long job's next chunk (a notice's issue, an import, a catch-up of timers), from how long the last one wrote.</summary>
public class ChunkPacerTests
{
    [Fact]
    public void The_next_chunk_is_scaled_to_write_in_the_target_time_within_its_bounds()
    {
        var pacer = new ChunkPacer(250);
        Assert.Equal(250, pacer.Size);

        pacer.Wrote(250, ChunkPacer.Target * 2);
        Assert.Equal(125, pacer.Size);
        pacer.Wrote(125, ChunkPacer.Target / 1.5);
        Assert.Equal(187, pacer.Size);
        pacer.Wrote(187, ChunkPacer.Target / 4);
        Assert.Equal(250, pacer.Size);
        pacer.Wrote(250, ChunkPacer.Target * 100);
        Assert.Equal(ChunkPacer.MinSize, pacer.Size);
    }

    [Fact]
    public void A_first_size_applies_until_a_chunk_is_timed_and_then_grows_at_most_twofold()
    {
        var pacer = new ChunkPacer(250, firstSize: ChunkPacer.MinSize);
        Assert.Equal(ChunkPacer.MinSize, pacer.Size);

        pacer.Wrote(ChunkPacer.MinSize, ChunkPacer.Target / 5);
        Assert.Equal(2 * ChunkPacer.MinSize, pacer.Size);
        pacer.Wrote(2 * ChunkPacer.MinSize, ChunkPacer.Target / 1.5);
        Assert.Equal(60, pacer.Size);
    }

    [Fact]
    public void A_small_chunk_lowers_the_size_only_when_it_wrote_slower_than_the_target()
    {
        var pacer = new ChunkPacer(250, firstSize: 100);

        // The tail of a job: its 5 items wrote in a fifth of the target, which by itself would allow only 10.
        pacer.Wrote(5, ChunkPacer.Target / 5);
        Assert.Equal(100, pacer.Size);
        // One less than asked (the next instance's timers did not fit) and fast grows, as a full chunk would.
        pacer.Wrote(99, ChunkPacer.Target / 2);
        Assert.Equal(198, pacer.Size);
        pacer.Wrote(5, ChunkPacer.Target * 2);
        Assert.Equal(ChunkPacer.MinSize, pacer.Size);
    }

    [Fact]
    public void A_largest_size_below_the_smallest_is_kept()
    {
        var pacer = new ChunkPacer(4, firstSize: ChunkPacer.MinSize);
        Assert.Equal(4, pacer.Size);

        pacer.Wrote(4, ChunkPacer.Target * 10);
        Assert.Equal(4, pacer.Size);
    }
}
