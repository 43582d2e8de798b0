using Rectify.Data;

namespace Rectify.Core.Tests;

/// <summary>
/// The hand-over of SQLite's writer turn between short writes and the chunks of long jobs, in the order the writers
/// get it: short writes that queued during a chunk go before any next chunk, and a chunk waits for one such batch only.
/// </summary>
public class WriterTurnOrderTests
{
    private readonly SqliteWriterTurn _turn = SqliteWriterTurn.Of($"Data Source=turn-order-{Guid.NewGuid():N}.db");
    private readonly List<string> _order = [];

    /// <summary>Queues a writer that, once it has the turn, notes its name; the test lets it go (<see cref="Release"/>).</summary>
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

    /// <summary>The holder gives the turn back and the next writer takes it.</summary>
    private async Task Release(Task next)
    {
        _turn.Release();
        await next;
    }

    [Fact]
    public async Task Short_writes_that_queued_during_a_chunk_go_before_the_next_chunks()
    {
        await _turn.WaitAsync(longJob: true, CancellationToken.None); // a notice's chunk holds the turn
        var import = Queue("import chunk", longJob: true);
        var report = Queue("report", longJob: false);
        var review = Queue("review", longJob: false);

        await Release(report);
        await Release(review);
        await Release(import);
        _turn.Release();

        Assert.Equal(["report", "review", "import chunk"], _order);
        Assert.Equal(0, _turn.Queued);
    }

    [Fact]
    public async Task A_chunk_waits_for_the_short_writes_queued_before_it_got_its_turn_not_for_later_ones()
    {
        await _turn.WaitAsync(longJob: true, CancellationToken.None); // a chunk holds the turn
        var first = Queue("report 1", longJob: false);
        await Release(first);
        // Queued while a short write holds the turn: the next chunk goes first, then the later short writes.
        var chunk = Queue("chunk", longJob: true);
        var second = Queue("report 2", longJob: false);
        var third = Queue("report 3", longJob: false);

        await Release(chunk);
        await Release(second);
        await Release(third);
        _turn.Release();

        Assert.Equal(["report 1", "chunk", "report 2", "report 3"], _order);
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
        await Release(next);
        _turn.Release();

        Assert.Equal(["next"], _order);
        Assert.Equal(0, _turn.Queued);
    }
}
