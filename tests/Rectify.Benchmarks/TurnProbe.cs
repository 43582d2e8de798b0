using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;

namespace Rectify.Benchmarks;

/// <summary>
/// Another writer while a long job runs, as a person saving: an empty write transaction at a steady pace, timing how
/// long it waited for its turn. Paced, so that it measures the wait without taking a core from the job it waits behind.
/// </summary>
internal sealed class TurnProbe : IAsyncDisposable
{
    private readonly CancellationTokenSource _done = new();
    private readonly Task<List<double>> _waits;

    public TurnProbe(IServiceProvider services, TimeSpan pace) => _waits = Task.Run(async () =>
    {
        var waits = new List<double>();
        using var timer = new PeriodicTimer(pace);
        while (!_done.IsCancellationRequested && await timer.WaitForNextTickAsync())
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            var started = Stopwatch.StartNew();
            await using var tx = await db.BeginWriteTransactionAsync();
            waits.Add(started.Elapsed.TotalMilliseconds);
            await tx.CommitAsync();
        }
        return waits;
    });

    /// <summary>Stops the probe and prints its waits, "another writer's wait for the turn while …".</summary>
    public async Task ReportAsync(string during)
    {
        await _done.CancelAsync();
        var waited = (await _waits).Order().ToList();
        if (waited.Count > 0)
            Console.WriteLine($"another writer's wait for the turn while {during}: p50 {waited[waited.Count / 2]:F0} ms, p99 {waited[(int)(waited.Count * 0.99)]:F0} ms, max {waited[^1]:F0} ms ({waited.Count} writes)");
    }

    public async ValueTask DisposeAsync()
    {
        await _done.CancelAsync();
        await _waits;
        _done.Dispose();
    }
}
