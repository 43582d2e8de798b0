namespace Rectify.Workflows.Activities;

/// <summary>Elsa.Timer: inside a flowchart (not as a trigger) it waits one interval, as Elsa's does; the wait is a timer row.</summary>
[Activity("Elsa.Timer", "定时器", "Timer", "定时", "Scheduling", "等待一个时间间隔后继续。", "Continues after an interval.", Kind = "Trigger")]
public sealed class Timer : Activity
{
    [Input("间隔", "Interval", Required = true, Description = "如 00:01:00 为一分钟", DescriptionEn = "e.g. 00:01:00 for a minute")]
    public Input<TimeSpan> Interval { get; } = new();

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Wait([], context.Now + context.Get(Interval)));
}
