namespace Rectify.Workflows.Activities;

/// <summary>Elsa.WriteLine: Elsa writes to the console; here the line goes to the instance's journal, where the viewer shows it.</summary>
public sealed class WriteLine : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.WriteLine", "写日志", "Write line", "基础", "Primitives",
        "把一行文字写入流程实例的日志。", "Writes a line of text to the instance's journal.")
    {
        Inputs = [new InputDescriptor("Text", "System.String", "文字", "Text")],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        context.WriteLine(context.Get<string>("Text"));
        return ValueTask.FromResult(ActivityResult.Done());
    }
}
