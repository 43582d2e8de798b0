using System.Text.Json;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Expressions;

namespace Rectify.Workflows.Activities;

// Elsa's flowchart primitives, with Elsa's type names so the designer draws them with their own icons.

public sealed class Start : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Start", "开始", "Start", "流程", "Flow",
        "流程从这里开始。", "The workflow begins here.") { IsStart = true, ShowInTimeline = false };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Done());
}

public sealed class End : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.End", "结束", "End", "流程", "Flow",
        "结束整个流程，取消仍在等待的其他分支。", "Ends the workflow, cancelling every branch still waiting.")
    { IsTerminal = true, Outcomes = [] };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Finish());
}

public sealed class FlowDecision : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.FlowDecision", "条件判断", "Decision", "流程", "Flow",
        "按条件走“是”或“否”。", "Continues on True or False depending on the condition.")
    {
        Inputs = [new InputDescriptor("Condition", "System.Boolean", "条件", "Condition") { UiHint = UiHints.SingleLine, Required = true, DefaultSyntax = "JavaScript" }],
        Outcomes = [new PortDescriptor("True", "是", "True"), new PortDescriptor("False", "否", "False")],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Done(context.Get<bool>("Condition") ? "True" : "False"));
}

public sealed class FlowSwitch : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.FlowSwitch", "多路分支", "Switch", "流程", "Flow",
        "按各分支条件选择出口：第一个满足的，或所有满足的；都不满足走 Default。",
        "Continues on the first matching case (or every matching one); Default when none matches.")
    {
        Inputs =
        [
            new InputDescriptor("Cases", "System.Collections.Generic.ICollection<Elsa.Workflows.Activities.Flowchart.Models.FlowSwitchCase>", "分支", "Cases")
            {
                UiHint = UiHints.FlowSwitchEditor, IsWrapped = false, DefaultSyntax = "Object",
                Description = "每行一个出口：名称和条件", DescriptionEn = "One port per row: its label and condition",
            },
            ModeInput,
        ],
        Outcomes = [new PortDescriptor("Default", "默认", "Default")],
        HasDynamicPorts = true,
    };

    /// <summary>MatchFirst or MatchAny, as FlowSwitch and Switch take it.</summary>
    internal static readonly InputDescriptor ModeInput = new("Mode", "System.String", "匹配方式", "Mode")
    {
        UiHint = UiHints.Dropdown, Default = "MatchFirst",
        Options = [("MatchFirst", "第一个满足的", "Match first"), ("MatchAny", "所有满足的", "Match any")],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var matchAny = context.Get<string>("Mode").Equals("MatchAny", StringComparison.OrdinalIgnoreCase);
        var matched = new List<string>();
        foreach (var (_, label, condition) in Cases(context.Node).Where(c => c.Label is not null))
        {
            if (condition.ValueKind == JsonValueKind.Object && condition.TryGetProperty("type", out var type)
                && ValueConversion.To<bool>(context.Evaluate(type.GetString()!, condition.TryGetProperty("value", out var v) ? v : default)))
            {
                matched.Add(label!);
                if (!matchAny)
                    break;
            }
        }
        return ValueTask.FromResult(ActivityResult.Done(matched.Count > 0 ? [.. matched] : ["Default"]));
    }

    public override IReadOnlyList<string> PortsOf(ActivityNode node) => [.. Cases(node).Select(c => c.Label).OfType<string>(), "Default"];

    /// <summary>The cases of a FlowSwitch or Switch as they sit on the activity: place, label (null when missing) and condition.</summary>
    internal static IEnumerable<(int Index, string? Label, JsonElement Condition)> Cases(ActivityNode node)
    {
        if (!node.Raw.TryGetProperty("cases", out var cases) || cases.ValueKind != JsonValueKind.Array)
            yield break;
        var i = 0;
        foreach (var c in cases.EnumerateArray())
        {
            var isCase = c.ValueKind == JsonValueKind.Object;
            yield return (i++, isCase && c.TryGetProperty("label", out var label) && label.ValueKind == JsonValueKind.String ? label.GetString() : null,
                isCase && c.TryGetProperty("condition", out var condition) ? condition : default);
        }
    }
}

public sealed class FlowFork : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.FlowFork", "并行分支", "Fork", "流程", "Flow",
        "同时走所有分支。", "Continues on every branch at once.")
    {
        Inputs = [new InputDescriptor("Branches", "System.Collections.Generic.ICollection<System.String>", "分支", "Branches") { UiHint = UiHints.DynamicOutcomes, DefaultSyntax = "Object", Description = "每个分支一个出口", DescriptionEn = "One port per branch" }],
        Outcomes = [],
        HasDynamicPorts = true,
        ShowInTimeline = false,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var branches = context.Get<List<string>>("Branches");
        // Without named branches every outgoing connection is a branch.
        var ports = branches.Count > 0 ? branches : context.Definition.Connections.Where(c => c.SourceId == context.Node.Id).Select(c => c.SourcePort).Distinct().ToList();
        return ValueTask.FromResult(ports.Count > 0 ? ActivityResult.Done([.. ports]) : ActivityResult.EndBranch());
    }

    /// <summary>Any port name is a branch when none are declared.</summary>
    public override IReadOnlyList<string>? PortsOf(ActivityNode node) =>
        node.Inputs.TryGetValue("branches", out var b) && !b.IsEmpty && b.ExpressionType is "Literal" or "Object"
            ? ValueConversion.To<List<string>>(b.Value)
            : null;
}

/// <summary>Elsa's FlowJoinMode, in its order.</summary>
public enum JoinMode
{
    WaitAll,
    WaitAllActive,
    WaitAny,
}

public sealed class FlowJoin : Activity
{
    public const string TypeName = "Elsa.FlowJoin";

    public override ActivityDescriptor Descriptor { get; } = new(TypeName, "汇合", "Join", "流程", "Flow",
        "等所有进入的分支到达（WaitAll）、等已激活的分支到达（WaitAllActive），或第一个到达即继续并取消其他分支（WaitAny）。",
        "Waits for every incoming branch (WaitAll), for the activated ones (WaitAllActive), or continues on the first and cancels the others (WaitAny).")
    {
        Inputs = [new InputDescriptor("Mode", "Elsa.Workflows.Activities.Flowchart.Models.FlowJoinMode", "汇合方式", "Mode")
        {
            UiHint = UiHints.Dropdown, Default = "WaitAny",
            Options = [("WaitAny", "任一到达", "Wait any"), ("WaitAll", "全部到达", "Wait all"), ("WaitAllActive", "已激活的全部到达", "Wait all active")],
        }],
        ShowInTimeline = false,
    };

    /// <summary>The runner decides when a join runs (see WorkflowRunner.ScheduleOutbound); running, it cancels what still waits upstream, as Elsa's does.</summary>
    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var ancestors = context.Definition.GraphOf(context.Node.ParentId).Ancestors(context.Node.Id);
        context.Cancel(ancestors.Contains);
        return ValueTask.FromResult(ActivityResult.Done());
    }
}

public sealed class SetVariable : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.SetVariable", "设置变量", "Set variable", "基础", "Primitives",
        "给流程变量赋值。", "Assigns a value to a workflow variable.")
    {
        Inputs =
        [
            new InputDescriptor("Variable", "Elsa.Workflows.Memory.Variable", "变量", "Variable") { UiHint = "variable-picker", Required = true },
            new InputDescriptor("Value", "System.Object", "值", "Value") { UiHint = UiHints.SingleLine },
        ],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var name = VariableName(context.Node) ?? throw new InvalidOperationException("SetVariable names no variable.");
        var value = context.Node.Inputs.TryGetValue("value", out var input) ? context.Evaluate(input.ExpressionType, input.Value) : null;
        context.Variables[name] = JsonPlain.ToNode(value is string s && context.Node.Inputs["value"].ExpressionType == "Literal" ? s : value);
        return ValueTask.FromResult(ActivityResult.Done());
    }

    /// <summary>Elsa writes the variable as a reference object {id, name, …}; a wrapped literal name is accepted too.</summary>
    internal static string? VariableName(ActivityNode node)
    {
        if (!node.Raw.TryGetProperty("variable", out var variable))
            return null;
        if (variable.ValueKind == JsonValueKind.Object && variable.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            return name.GetString();
        if (node.Inputs.TryGetValue("variable", out var wrapped))
        {
            if (wrapped.Value.ValueKind == JsonValueKind.String)
                return wrapped.Value.GetString();
            if (wrapped.Value.ValueKind == JsonValueKind.Object && wrapped.Value.TryGetProperty("name", out var n))
                return n.GetString();
        }
        return null;
    }
}

public sealed class Delay : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Delay", "延时", "Delay", "定时", "Scheduling",
        "等待一段时间（如 1.00:00:00 为一天）。", "Waits for a span of time (e.g. 1.00:00:00 is one day).")
    {
        Inputs = [new InputDescriptor("TimeSpan", "System.TimeSpan", "时长", "Time span") { Required = true }],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Wait([], context.Now + context.Get<TimeSpan>("TimeSpan")));
}

public sealed class StartAt : Activity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.StartAt", "定时开始", "Start at", "定时", "Scheduling",
        "等到指定时刻；时刻已过则立即继续。", "Waits until the given instant; continues at once if it has passed.")
    {
        Inputs = [new InputDescriptor("DateTime", "System.DateTimeOffset", "时刻", "Date and time") { UiHint = UiHints.DateTimePicker, Required = true }],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var at = context.Get<DateTimeOffset>("DateTime");
        return ValueTask.FromResult(at <= context.Now ? ActivityResult.Done() : ActivityResult.Wait([], at));
    }
}
