using System.Diagnostics;
using System.Diagnostics.Metrics;
using Rectify.Data;

namespace Rectify.Benchmarks;

/// <summary>
/// What a round cost per operation, measured while it runs: processor time (all threads of the process) and, on
/// SQLite, how long the single writer turn was held in all and how many saves each group commit took. The turn is
/// the part no second core shortens; with cores left idle, it is what bounds the rate.
/// </summary>
internal sealed class RoundCost : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
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

    /// <summary>"processor … ms per {what}, … of N cores busy; turn held … ms per {what}[, … group commits, … saves each]".</summary>
    public string Per(int count, string what)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpu;
        var text = $"processor {cpu.TotalMilliseconds / count:F2} ms per {what}, {cpu / _wall.Elapsed:F1} of {Environment.ProcessorCount} cores busy";
        if (_heldMicroseconds > 0)
            text += $"; turn held {Interlocked.Read(ref _heldMicroseconds) / 1000.0 / count:F2} ms per {what}";
        if (_groups > 0)
            text += $" ({_groups} group commits, {(double)_members / _groups:F2} saves each)";
        return text;
    }

    public void Dispose() => _listener.Dispose();
}
