using System.Diagnostics;
using System.Diagnostics.Metrics;
using Rectify.Data;

namespace Rectify.Benchmarks;

/// <summary>
/// What a round cost per operation, measured while it runs: processor time and garbage (the whole process: a probe
/// writer running beside the round is counted too, it is small) and, on
/// SQLite, how long the single writer turn was held in all and how many saves each group commit took. The turn is
/// the part no second core shortens; with cores left idle, it is what bounds the rate.
/// </summary>
internal sealed class RoundCost : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly (long Bytes, int Collections, TimeSpan Paused) _gc = (GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.GetTotalPauseDuration());
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private long _groups, _members, _heldMicroseconds;

    public RoundCost()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument == SqliteGroupCommit.GroupSize || instrument == SqliteWriterTurn.HoldTime)
                l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
        {
            Interlocked.Increment(ref _groups);
            Interlocked.Add(ref _members, size);
        });
        _listener.SetMeasurementEventCallback<double>((_, ms, _, _) => Interlocked.Add(ref _heldMicroseconds, (long)(ms * 1000)));
        _listener.Start();
    }

    /// <summary>
    /// "processor … ms per {what}, … of N cores busy; … KB allocated per {what}, … GCs per 1,000, paused … ms (…% of
    /// the round); turn held … ms per {what}[, … group commits, … saves each]". The garbage is the steadiest of these
    /// on a shared machine: it does not move with the neighbours' load.
    /// </summary>
    public string Per(int count, string what)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpu;
        var paused = GC.GetTotalPauseDuration() - _gc.Paused;
        var text = $"processor {cpu.TotalMilliseconds / count:F2} ms per {what}, {cpu / _wall.Elapsed:F1} of {Environment.ProcessorCount} cores busy; "
            + $"{(GC.GetTotalAllocatedBytes() - _gc.Bytes) / 1024.0 / count:F1} KB allocated per {what}, {(GC.CollectionCount(0) - _gc.Collections) * 1000.0 / count:F1} GCs per 1,000, "
            + $"paused {paused.TotalMilliseconds:F0} ms ({paused / _wall.Elapsed:P0} of the round)";
        if (_heldMicroseconds > 0)
            text += $"; turn held {Interlocked.Read(ref _heldMicroseconds) / 1000.0 / count:F2} ms per {what}";
        if (_groups > 0)
            text += $" ({_groups} group commits, {(double)_members / _groups:F2} saves each)";
        return text;
    }

    public void Dispose() => _listener.Dispose();
}
