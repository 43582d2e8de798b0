using Microsoft.Extensions.Time.Testing;
using Rectify.Data;

namespace Rectify.Core.Tests;

/// <summary>
/// The hand-over of SQLite's writer turn between short writes and the chunks of long jobs, in the order the writers
/// get it (how long each held the turn is set on a fake clock): after a chunk the waiting short writes go first, for as
/// long as the chunk held the turn, then the next chunk.
/// </summary>
public class WriterTurnOrderTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly SqliteWriterTurn _turn;
    private readonly List<string> _order = [];

    public WriterTurnOrderTests() => _turn = new SqliteWriterTurn(_clock);

    /// <summary>Queues a writer that, once it has the turn, notes its name; the test lets it go (<see cref="HoldAndRelease"/>).</summary>
    private Task Queue(string name, bool longJob)
    {
        var queued = _turn.Queued;
        var got = Task.Run(async () =>
        {
            await _turn.WaitAsync(longJob, CancellationToken.None);
            lock (_order)
                _order.Add(name);
        });
        // Queued in the order of the calls: the next writer queues only once this one waits.
        SpinWait.SpinUntil(() => _turn.Queued > queued);
        return got;
    }

    /// <summary>The holder keeps the turn for <paramref name="ms"/> and gives it back; the next writer takes it.</summary>
    private async Task HoldAndRelease(int ms, Task? next)
    {
        _clock.Advance(TimeSpan.FromMilliseconds(ms));
        _turn.Release();
        if (next is not null)
            await next;
    }

    [Fact]
    public async Task Short_writes_that_queued_during_a_chunk_go_before_the_next_chunk()
    {
        await _turn.WaitAsync(longJob: true, CancellationToken.None); // a notice's chunk holds the turn
        var import = Queue("import chunk", longJob: true);
        var report = Queue("report", longJob: false);
        var review = Queue("review", longJob: false);

        await HoldAndRelease(50, report);
        await HoldAndRelease(10, review);
        await HoldAndRelease(10, import);
        await HoldAndRelease(50, null);

        Assert.Equal(["report", "review", "import chunk"], _order);
        Assert.Equal(0, _turn.Queued);
    }

    [Fact]
    public async Task A_waiting_chunk_goes_once_short_writes_held_the_turn_as_long_as_the_last_chunk()
    {
        await _turn.WaitAsync(longJob: true, CancellationToken.None); // a chunk holds the turn
        var first = Queue("report 1", longJob: false);
        var chunk = Queue("chunk", longJob: true);
        var second = Queue("report 2", longJob: false);
        var third = Queue("report 3", longJob: false);

        await HoldAndRelease(50, first);
        // 30 ms of the chunk's 50 used by short writes: another goes; after 60 ms the chunk goes before the third.
        await HoldAndRelease(30, second);
        await HoldAndRelease(30, chunk);
        await HoldAndRelease(50, third);
        await HoldAndRelease(10, null);

        Assert.Equal(["report 1", "report 2", "chunk", "report 3"], _order);
    }

    [Fact]
    public async Task A_writer_whose_request_goes_away_leaves_the_queue_and_the_turn_passes_on()
    {
        await _turn.WaitAsync(longJob: false, CancellationToken.None);
        using var gone = new CancellationTokenSource();
        var cancelled = _turn.WaitAsync(longJob: false, gone.Token);
        SpinWait.SpinUntil(() => _turn.Queued > 0);
        var next = Queue("next", longJob: true);

        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, _turn.Queued);
        await HoldAndRelease(10, next);
        await HoldAndRelease(10, null);

        Assert.Equal(["next"], _order);
        Assert.Equal(0, _turn.Queued);
    }
}
