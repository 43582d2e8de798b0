namespace Rectify.Workflows.Activities;

/// <summary>Elsa.PublishEvent: resumes this instance's Event activities waiting for the named event (Elsa also reaches other workflows; ours stay within one finding's instance).</summary>
public sealed class PublishEvent : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.PublishEvent", "发布事件", "Publish event", "事件", "Primitives",
        "发布一个事件，唤醒本流程中等待它的“等待事件”。", "Publishes an event, resuming this workflow's Event activities waiting for it.")
    {
        Inputs = [new InputDescriptor("EventName", "System.String", "事件名称", "Event name") { Required = true }],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        context.Publish(context.Get<string>("EventName"));
        return ValueTask.FromResult(ActivityResult.Done());
    }
}
