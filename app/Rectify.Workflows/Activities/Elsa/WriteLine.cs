namespace Rectify.Workflows.Activities;

/// <summary>Elsa.WriteLine: Elsa writes to the console; here the line goes to the instance's journal, where the viewer shows it.</summary>
[Activity("Elsa.WriteLine", "写日志", "Write line", "基础", "Primitives", "把一行文字写入流程实例的日志。", "Writes a line of text to the instance's journal.")]
public sealed class WriteLine : Activity
{
    [Input("文字", "Text")]
    public Input<string> Text { get; } = new();

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        context.WriteLine(context.Get(Text));
        return ValueTask.FromResult(ActivityResult.Done());
    }
}
