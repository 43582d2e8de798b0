namespace Rectify.Workflows.Activities;

/// <summary>Elsa.Event: waits until the named event is published (by an Elsa.PublishEvent of this or, unless local, another instance).</summary>
public sealed class Event : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Event", "等待事件", "Event", "事件", "Primitives",
        "等到本流程或其他流程发布同名事件后继续。", "Waits until this or another workflow publishes the named event.")
    {
        Kind = "Trigger",
        Inputs = [new InputDescriptor("EventName", "System.String", "事件名称", "Event name") { Required = true }],
    };

    /// <summary>The bookmark name of an event, kept apart from finding events (ReportSubmitted …).</summary>
    public static string BookmarkFor(string eventName) => "Event:" + eventName;

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Wait([BookmarkFor(context.Get<string>("EventName"))]));

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Signal signal) => ValueTask.FromResult(ActivityResult.Done());
}
