using Cronos;

namespace Rectify.Workflows.Activities;

/// <summary>Elsa.Cron: inside a flowchart it waits for the expression's next occurrence in the office's time zone; the wait is a timer row.</summary>
public sealed class Cron : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Cron", "定时（cron）", "Cron", "定时", "Scheduling",
        "等到 cron 表达式的下一个时刻（办公地时区）。", "Waits for the cron expression's next occurrence (office time zone).")
    {
        Kind = "Trigger",
        Inputs = [new InputDescriptor("CronExpression", "System.String", "cron 表达式", "Cron expression")
        {
            Required = true, Format = InputFormats.Cron,
            Description = "五段，或以秒开头的六段，如 0 0 * * * * 为每小时整点", DescriptionEn = "Five fields, or six with seconds first, e.g. 0 0 * * * * every hour",
        }],
    };

    /// <summary>Parses as Elsa does with Cronos: six fields carry seconds.</summary>
    public static CronExpression Parse(string text)
    {
        var trimmed = text.Trim();
        return CronExpression.Parse(trimmed, trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
    }

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var next = Parse(context.Get<string>("CronExpression")).GetNextOccurrence(context.Now, context.Services.Clock.Zone)
            ?? throw new InvalidOperationException("The cron expression has no next occurrence.");
        return ValueTask.FromResult(ActivityResult.Wait([], next));
    }
}
