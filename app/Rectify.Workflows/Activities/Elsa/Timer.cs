namespace Rectify.Workflows.Activities;

/// <summary>Elsa.Timer: inside a flowchart (not as a trigger) it waits one interval, as Elsa's does; the wait is a timer row.</summary>
public sealed class Timer : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Timer", "定时器", "Timer", "定时", "Scheduling",
        "等待一个时间间隔后继续。", "Continues after an interval.")
    {
        Kind = "Trigger",
        Inputs = [new InputDescriptor("Interval", "System.TimeSpan", "间隔", "Interval") { Required = true, Description = "如 00:01:00 为一分钟", DescriptionEn = "e.g. 00:01:00 for a minute" }],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Wait([], context.Now + context.Get<TimeSpan>("Interval")));
}
