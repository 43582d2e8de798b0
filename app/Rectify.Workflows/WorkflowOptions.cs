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
    /// Timers fired per transaction. Small, so that catching up commits in short pieces: with 250 a user's save waited
    /// up to 2 s behind one group on the loaded test machine, with 50 up to 0.4 s, and the timers fired no slower.
    /// </summary>
    public int FireGroupSize { get; set; } = 50;
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
