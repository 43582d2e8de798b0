namespace Rectify.Workflows;

/// <summary>The "Workflows" configuration section.</summary>
public sealed class WorkflowOptions
{
    /// <summary>The definition every new finding runs unless told otherwise.</summary>
    public string DefaultDefinitionId { get; set; } = "rectification";
    /// <summary>Folder of shipped definitions imported at start when absent or newer; default: workflows/ beside the app.</summary>
    public string? DefinitionsPath { get; set; }
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Due timers claimed per round.</summary>
    public int ClaimBatchSize { get; set; } = 2000;
    /// <summary>
    /// The most timers fired per transaction. Below that, each group is sized so that its write takes about 50 ms
    /// (<see cref="Rectify.Data.ChunkPacer"/>): a user's save queued behind a catch-up waits about that long, and on a
    /// loaded machine, where a fixed 250 held the turn for seconds, the groups shrink. On the 2-core test machine
    /// timers fired ~3,250/s at a fixed 50 a group and ~4,500/s paced up to 250 (README, runtime benchmark).
    /// </summary>
    public int FireGroupSize { get; set; } = 250;
    /// <summary>
    /// Groups prepared at once. Running a group's steps is most of a timer's cost and needs no lock, so one group
    /// per core keeps every core busy; their commits still take the writer turn one at a time.
    /// </summary>
    public int FireParallelism { get; set; } = Environment.ProcessorCount;
    /// <summary>How long a claim holds its timers before another node may take them (a crashed node's claims expire).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Whether the background dispatcher runs in this process.</summary>
    public bool RunDispatcher { get; set; } = true;
    public DemoClockOptions DemoClock { get; set; } = new();
}

/// <summary>The demonstration clock for training and acceptance runs; off by default.</summary>
public sealed class DemoClockOptions
{
    public bool Enabled { get; set; }
    /// <summary>The Production environment refuses the demo clock unless this is set as well.</summary>
    public bool AllowInProduction { get; set; }
    /// <summary>Where the clock starts on a database that has no stored position yet, e.g. 2026-09-28T08:00+08:00.</summary>
    public DateTimeOffset? Start { get; set; }
}
