using Rectify.Workflows.Activities;

namespace Rectify.Workflows.Definitions;

/// <summary>
/// What publishing checks, so a broken definition is refused in the designer instead of failing a finding at 3 a.m.:
/// the JSON shape, unknown activity types, dangling connections (unknown activity or port), missing required
/// inputs, unknown expression types, no start, and an End that no path reaches.
/// </summary>
public sealed class DefinitionValidator(ActivityRegistry registry)
{
    public IReadOnlyList<DefinitionError> Validate(string json)
    {
        var (definition, errors) = DefinitionParser.TryParse(json);
        return definition is null ? errors : Validate(definition);
    }

    public IReadOnlyList<DefinitionError> Validate(WorkflowDefinition definition)
    {
        var errors = new List<DefinitionError>();
        foreach (var node in definition.Activities)
        {
            if (!registry.TryGet(node.Type, out var activity))
            {
                errors.Add(new(node.Path + ".type", "activity.unknown_type", $"未知的活动类型“{node.Type}”", $"Unknown activity type '{node.Type}'"));
                continue;
            }
            foreach (var input in activity.Descriptor.Inputs.Where(i => i.Required && i.Default is null))
            {
                var present = node.Inputs.TryGetValue(input.Name, out var value) && !(value.ExpressionType == "Literal" && value.IsEmpty)
                    || input.Name == "Variable" && SetVariable.VariableName(node) is not null;
                if (!present)
                    errors.Add(new($"{node.Path}.{input.JsonName}", "input.required", $"“{input.DisplayName}”必须填写", $"The input '{input.Name}' is required"));
            }
            foreach (var (name, value) in node.Inputs)
            {
                if (!Expressions.ExpressionEvaluator.SupportedTypes.Contains(value.ExpressionType) && value.ExpressionType != "Object")
                    errors.Add(new(value.Path + ".expression.type", "input.expression_unsupported", $"不支持的表达式类型“{value.ExpressionType}”", $"Unsupported expression type '{value.ExpressionType}'"));
            }
        }

        foreach (var connection in definition.Connections)
        {
            if (!definition.ById.TryGetValue(connection.SourceId, out var source))
                errors.Add(new(connection.Path + ".source.activity", "connection.dangling_source", $"连线起点“{connection.SourceId}”不存在", $"The connection starts at a missing activity '{connection.SourceId}'"));
            else if (registry.TryGet(source.Type, out var activity) && activity.PortsOf(source) is { } ports && !ports.Contains(connection.SourcePort))
                errors.Add(new(connection.Path + ".source.port", "connection.unknown_port", $"“{connection.SourceId}”没有出口“{connection.SourcePort}”", $"'{connection.SourceId}' has no port '{connection.SourcePort}'"));
            if (!definition.ById.ContainsKey(connection.TargetId))
                errors.Add(new(connection.Path + ".target.activity", "connection.dangling_target", $"连线终点“{connection.TargetId}”不存在", $"The connection ends at a missing activity '{connection.TargetId}'"));
        }

        var starts = definition.StartActivities();
        if (starts.Count == 0)
            errors.Add(new("$.root.activities", "definition.no_start", "流程没有起点", "The flowchart has no start activity"));
        foreach (var end in definition.Activities.Where(a => a.Type == "Elsa.End"))
        {
            if (!starts.Any(s => s.Id == end.Id || definition.CanReach(s.Id, end.Id)))
                errors.Add(new(end.Path, "activity.unreachable_end", $"结束活动“{end.Id}”无法到达", $"The End activity '{end.Id}' cannot be reached from the start"));
        }
        return errors;
    }
}
