namespace Rectify.Workflows.Activities;

/// <summary>Elsa.Correlate: sets the instance's correlation id (scripts read it with getCorrelationId()).</summary>
public sealed class Correlate : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Correlate", "设置关联标识", "Correlate", "基础", "Primitives",
        "设置流程实例的关联标识。", "Sets the instance's correlation id.")
    {
        Inputs = [new InputDescriptor("CorrelationId", "System.String", "关联标识", "Correlation id") { Required = true }],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        context.CorrelationId = context.Get<string>("CorrelationId");
        return ValueTask.FromResult(ActivityResult.Done());
    }
}
