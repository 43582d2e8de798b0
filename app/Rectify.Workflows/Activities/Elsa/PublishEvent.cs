namespace Rectify.Workflows.Activities;

/// <summary>
/// Elsa.PublishEvent: resumes the Event activities waiting for the named event — this instance's at once and, unless it
/// is a local event, every other waiting instance's (only those of the correlation id when one is given), as Elsa's does.
/// </summary>
public sealed class PublishEvent : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.PublishEvent", "发布事件", "Publish event", "事件", "Primitives",
        "发布一个事件，唤醒等待它的“等待事件”：本流程的，以及（非本地事件时）其他流程实例的。",
        "Publishes an event, resuming the Event activities waiting for it: this workflow's and, unless local, other instances'.")
    {
        Inputs =
        [
            new InputDescriptor("EventName", "System.String", "事件名称", "Event name") { Required = true },
            new InputDescriptor("CorrelationId", "System.String", "关联标识", "Correlation id")
            {
                Description = "填写后只唤醒该关联标识的流程实例", DescriptionEn = "When given, only instances of this correlation id hear the event",
            },
            new InputDescriptor("IsLocalEvent", "System.Boolean", "本地事件", "Local event")
            {
                UiHint = UiHints.Checkbox, Default = "false",
                Description = "勾选后只送达本流程实例", DescriptionEn = "When checked, the event reaches this workflow instance only",
            },
        ],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        context.Publish(context.Get<string>("EventName"), context.Get<string>("CorrelationId"), context.Get<bool>("IsLocalEvent"));
        return ValueTask.FromResult(ActivityResult.Done());
    }
}
