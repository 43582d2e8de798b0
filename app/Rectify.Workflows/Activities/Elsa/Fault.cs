namespace Rectify.Workflows.Activities;

/// <summary>Elsa.Fault: faults the workflow with a code, a category and a message (an incident on the instance).</summary>
public sealed class Fault : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Fault", "报错", "Fault", "流程", "Flow",
        "使流程以指定的错误结束（记为实例的故障）。", "Faults the workflow with the given error, recorded as an incident.")
    {
        IsTerminal = true,
        Outcomes = [],
        Inputs =
        [
            new InputDescriptor("Code", "System.String", "错误代码", "Code"),
            new InputDescriptor("Category", "System.String", "类别", "Category"),
            new InputDescriptor("FaultType", "System.String", "错误类型", "Fault type"),
            new InputDescriptor("Message", "System.String", "说明", "Message") { Required = true },
        ],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        throw new WorkflowFaultException(context.Get<string>("Code"), context.Get<string>("Category"), context.Get<string>("Message"));
    }
}

/// <summary>The fault an Elsa.Fault activity raises.</summary>
public sealed class WorkflowFaultException(string code, string category, string message)
    : Exception(string.IsNullOrEmpty(code) ? message : $"{message} (code {code}{(string.IsNullOrEmpty(category) ? "" : ", " + category)})")
{
    public string Code { get; } = code;
    public string Category { get; } = category;
}
