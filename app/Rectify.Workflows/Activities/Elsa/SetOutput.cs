using Rectify.Workflows.Expressions;

namespace Rectify.Workflows.Activities;

/// <summary>Elsa.SetOutput: sets one of the workflow's outputs.</summary>
public sealed class SetOutput : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.SetOutput", "设置输出", "Set output", "基础", "Primitives",
        "给流程的一个输出赋值。", "Sets one of the workflow's outputs.")
    {
        Inputs =
        [
            new InputDescriptor("OutputName", "System.String", "输出名称", "Output name") { Required = true },
            new InputDescriptor("OutputValue", "System.Object", "值", "Value"),
        ],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var name = context.Get<string>("OutputName");
        context.Output[name] = context.Node.Inputs.TryGetValue("outputValue", out var input)
            ? JsonPlain.ToNode(context.Evaluate(input.ExpressionType, input.Value))
            : null;
        return ValueTask.FromResult(ActivityResult.Done());
    }
}
