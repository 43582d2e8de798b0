using Rectify.Time;
using Rectify.Workflows.Activities;

namespace Rectify.Designer.Tests;

/// <summary>
/// An activity a test assembly adds, in one file: its descriptor on the class, typed inputs the runtime evaluates and
/// converts, and the office's working-day calendar taken from the activity's context.
/// </summary>
[Activity("Rectify.Tests.DueAfterDeadline", "期限后工作日", "Working days after deadline", "测试", "Tests",
    "在流程日志里写下问题期限之后第几个工作日的日期。", "Writes to the journal the date some working days after the finding's deadline.")]
[Port("Done", "完成", "Done")]
public sealed class DueAfterDeadline : Activity
{
    [Input("工作日数", "Working days", Required = true, Default = "1")]
    public Input<int> Days { get; } = new();

    [Input("备注", "Note", UiHint = UiHints.MultiLine)]
    public Input<string> Note { get; } = new();

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var calendar = context.GetRequiredService<WorkingDayCalendar>();
        var day = calendar.Add(context.Finding.Deadline, new WorkingDays(context.Get(Days)));
        context.WriteLine($"{context.Get(Note)} {day:yyyy-MM-dd}");
        return ValueTask.FromResult(ActivityResult.Done());
    }
}
