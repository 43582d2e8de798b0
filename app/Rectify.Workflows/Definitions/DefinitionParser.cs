using System.Text;
using System.Text.Json;

namespace Rectify.Workflows.Definitions;

/// <summary>
/// Reads Elsa 3 workflow-definition JSON (the shape Elsa Studio saves) into a <see cref="WorkflowDefinition"/>.
/// Every fault is reported with its JSON path, including syntax errors, so the designer can point at it.
/// </summary>
public static class DefinitionParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Parses the definition or throws <see cref="WorkflowDefinitionException"/> with the faults' paths.</summary>
    public static WorkflowDefinition Parse(string json)
    {
        var (definition, errors) = TryParse(json);
        return errors.Count > 0 ? throw new WorkflowDefinitionException(errors) : definition!;
    }

    public static (WorkflowDefinition? Definition, IReadOnlyList<DefinitionError> Errors) TryParse(string json)
    {
        JsonElement document;
        try
        {
            using var parsed = JsonDocument.Parse(json, DocumentOptions);
            document = parsed.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return (null, [SyntaxError(json, ex)]);
        }

        var errors = new List<DefinitionError>();
        if (document.ValueKind != JsonValueKind.Object)
            return (null, [Error("$", "json.not_object", "定义必须是 JSON 对象", "The definition must be a JSON object")]);
        // The designer's save request wraps the definition as {model: {...}, publish}.
        if (!document.TryGetProperty("root", out _) && document.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.Object)
            document = model;

        var definitionId = String(document, "definitionId");
        if (string.IsNullOrWhiteSpace(definitionId))
            errors.Add(Error("$.definitionId", "definition.id_missing", "缺少 definitionId", "definitionId is missing"));

        var variables = new List<VariableDefinition>();
        if (document.TryGetProperty("variables", out var vars) && vars.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var v in vars.EnumerateArray())
            {
                var name = String(v, "name");
                if (string.IsNullOrWhiteSpace(name))
                    errors.Add(Error($"$.variables[{i}].name", "variable.name_missing", "变量缺少名称", "A variable needs a name"));
                else
                    variables.Add(new VariableDefinition(String(v, "id") ?? name, name, String(v, "typeName") ?? "Object",
                        v.TryGetProperty("value", out var value) ? value : null));
                i++;
            }
        }

        var inputs = ReadParameters(document, "inputs");
        var outputs = ReadParameters(document, "outputs");
        var activities = new List<ActivityNode>();
        var connections = new List<Connection>();
        string rootId = "root", rootNodeId = "root";
        string? startId = null;
        if (!document.TryGetProperty("root", out var root) || root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(Error("$.root", "definition.root_missing", "缺少根流程图 root", "The root flowchart is missing"));
        }
        else
        {
            if (String(root, "type") != "Elsa.Flowchart")
                errors.Add(Error("$.root.type", "definition.root_not_flowchart", "根活动必须是 Elsa.Flowchart", "The root activity must be an Elsa.Flowchart"));
            rootId = String(root, "id") ?? "root";
            rootNodeId = String(root, "nodeId") ?? rootId;
            // Elsa writes the explicit start as an id (older exports) or as the activity itself.
            startId = String(root, "start") ?? (root.TryGetProperty("start", out var start) ? String(start, "id") : null);
            ReadActivities(root, rootNodeId, activities, connections, errors);
            ReadConnections(root, "$.root", connections, errors);
        }

        if (errors.Count > 0)
            return (null, errors);
        return (new WorkflowDefinition
        {
            DefinitionId = definitionId!,
            Version = document.TryGetProperty("version", out var ver) && ver.ValueKind == JsonValueKind.Number ? ver.GetInt32() : 1,
            Name = String(document, "name") ?? definitionId!,
            Description = String(document, "description") ?? "",
            IsPublished = document.TryGetProperty("isPublished", out var pub) && pub.ValueKind == JsonValueKind.True,
            UsableAsActivity = document.TryGetProperty("options", out var options) && IsTrue(options, "usableAsActivity"),
            ActivityCategory = document.TryGetProperty("options", out var opts) ? String(opts, "activityCategory") : null,
            Outcomes = document.TryGetProperty("outcomes", out var outcomes) && outcomes.ValueKind == JsonValueKind.Array
                ? outcomes.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.String).Select(o => o.GetString()!).ToList()
                : [],
            RootId = rootId,
            RootNodeId = rootNodeId,
            Variables = variables,
            Inputs = inputs,
            Outputs = outputs,
            StartId = startId,
            Activities = activities,
            Connections = connections,
        }, errors);
    }

    private static void ReadActivities(JsonElement root, string rootNodeId, List<ActivityNode> activities, List<Connection> connections, List<DefinitionError> errors)
    {
        if (!root.TryGetProperty("activities", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            errors.Add(Error("$.root.activities", "definition.activities_missing", "流程图缺少 activities 数组", "The flowchart needs an activities array"));
            return;
        }
        var reader = new ActivityReader(activities, errors);
        var index = 0;
        foreach (var a in list.EnumerateArray())
            reader.Read(a, $"$.root.activities[{index}]", rootNodeId, parentId: null, slot: null, order: index++);
        connections.AddRange(reader.NestedConnections);
    }

    /// <summary>Reads activities and, inside containers (a nested flowchart, a sequence, If, ForEach …), their children.</summary>
    private sealed class ActivityReader(List<ActivityNode> activities, List<DefinitionError> errors)
    {
        private readonly HashSet<string> _ids = [];
        public List<Connection> NestedConnections { get; } = [];

        public void Read(JsonElement a, string path, string parentNodeId, string? parentId, string? slot, int order)
        {
            if (a.ValueKind != JsonValueKind.Object)
            {
                errors.Add(Error(path, "activity.not_object", "活动必须是 JSON 对象", "An activity must be a JSON object"));
                return;
            }
            var id = String(a, "id");
            var type = String(a, "type");
            if (string.IsNullOrWhiteSpace(id))
                errors.Add(Error(path + ".id", "activity.id_missing", "活动缺少 id", "The activity has no id"));
            else if (!_ids.Add(id))
                errors.Add(Error(path + ".id", "activity.id_duplicate", $"活动 id “{id}”重复", $"The activity id '{id}' is used twice"));
            if (string.IsNullOrWhiteSpace(type))
                errors.Add(Error(path + ".type", "activity.type_missing", "活动缺少 type", "The activity has no type"));

            var inputs = new Dictionary<string, InputValue>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in a.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Object || !property.Value.TryGetProperty("expression", out var expression))
                    continue;
                var inputPath = $"{path}.{property.Name}";
                if (expression.ValueKind == JsonValueKind.Null)
                    continue;
                if (expression.ValueKind != JsonValueKind.Object || String(expression, "type") is not { Length: > 0 } expressionType)
                {
                    errors.Add(Error(inputPath + ".expression", "input.expression_invalid", "输入的表达式必须有 type", "An input expression needs a type"));
                    continue;
                }
                inputs[property.Name] = new InputValue(String(property.Value, "typeName"), expressionType,
                    expression.TryGetProperty("value", out var value) ? value : default, inputPath);
            }
            string? displayText = null;
            if (a.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
                displayText = String(metadata, "displayText");
            a.TryGetProperty("customProperties", out var custom);
            var nodeId = String(a, "nodeId") ?? $"{parentNodeId}:{id}";
            activities.Add(new ActivityNode
            {
                Id = id ?? "",
                NodeId = nodeId,
                Type = type ?? "",
                Path = path,
                ParentId = parentId,
                Slot = slot,
                Order = order,
                DisplayText = string.IsNullOrWhiteSpace(displayText) ? null : displayText,
                CanStartWorkflow = IsTrue(a, "canStartWorkflow") || IsTrue(custom, "canStartWorkflow"),
                MergeMode = String(custom, "mergeMode"),
                WorkflowDefinitionId = String(a, "workflowDefinitionId"),
                Inputs = inputs,
                Raw = a,
            });
            if (string.IsNullOrWhiteSpace(id))
                return;
            // Embedded activities: a single one under a port (body, then, else …) or a list (a flowchart's or sequence's activities, a fork's branches).
            foreach (var property in a.EnumerateObject())
            {
                if (IsActivity(property.Value))
                    Read(property.Value, $"{path}.{property.Name}", nodeId, id, property.Name, 0);
                else if (property.Value.ValueKind == JsonValueKind.Array && property.Name is "activities" or "branches")
                {
                    var i = 0;
                    foreach (var child in property.Value.EnumerateArray().Where(IsActivity))
                        Read(child, $"{path}.{property.Name}[{i}]", nodeId, id, property.Name, i++);
                }
                else if (property.Value.ValueKind == JsonValueKind.Array && property.Name == "cases")
                {
                    // Elsa.Switch: each case may hold the activity it runs; its place is the case's index.
                    var i = 0;
                    foreach (var @case in property.Value.EnumerateArray())
                    {
                        if (@case.ValueKind == JsonValueKind.Object && @case.TryGetProperty("activity", out var child) && IsActivity(child))
                            Read(child, $"{path}.cases[{i}].activity", nodeId, id, "cases", i);
                        i++;
                    }
                }
            }
            if (type == "Elsa.Flowchart")
                ReadConnections(a, path, NestedConnections, errors, id);
        }

        private static bool IsActivity(JsonElement value) =>
            value.ValueKind == JsonValueKind.Object && String(value, "type") is not null && String(value, "id") is not null && !value.TryGetProperty("expression", out _);
    }

    private static void ReadConnections(JsonElement root, string path, List<Connection> connections, List<DefinitionError> errors, string? flowchartId = null)
    {
        if (!root.TryGetProperty("connections", out var list) || list.ValueKind == JsonValueKind.Null)
            return;
        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add(Error(path + ".connections", "definition.connections_invalid", "connections 必须是数组", "connections must be an array"));
            return;
        }
        var index = 0;
        foreach (var c in list.EnumerateArray())
        {
            var at = $"{path}.connections[{index}]";
            string? sourceId = null, sourcePort = null, targetId = null, targetPort = null;
            if (c.ValueKind == JsonValueKind.Object && String(c, "source") is { } flatSource)
            {
                // Elsa's flat form: {source, sourcePort, target, targetPort} with activity ids.
                sourceId = flatSource;
                sourcePort = String(c, "sourcePort");
                targetId = String(c, "target");
                targetPort = String(c, "targetPort");
            }
            else if (c.ValueKind == JsonValueKind.Object)
            {
                if (c.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.Object)
                {
                    sourceId = String(s, "activity");
                    sourcePort = String(s, "port");
                }
                if (c.TryGetProperty("target", out var t) && t.ValueKind == JsonValueKind.Object)
                {
                    targetId = String(t, "activity");
                    targetPort = String(t, "port");
                }
            }
            if (string.IsNullOrWhiteSpace(sourceId))
                errors.Add(Error(at + ".source.activity", "connection.source_missing", "连线缺少起点活动", "The connection has no source activity"));
            if (string.IsNullOrWhiteSpace(targetId))
                errors.Add(Error(at + ".target.activity", "connection.target_missing", "连线缺少终点活动", "The connection has no target activity"));
            connections.Add(new Connection(index, sourceId ?? "", string.IsNullOrEmpty(sourcePort) ? "Done" : sourcePort, targetId ?? "", targetPort ?? "In")
            {
                FlowchartId = flowchartId,
                Base = path,
            });
            index++;
        }
    }

    private static List<ParameterDefinition> ReadParameters(JsonElement document, string name)
    {
        if (!document.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array)
            return [];
        return list.EnumerateArray()
            .Where(p => !string.IsNullOrWhiteSpace(String(p, "name")))
            .Select(p => new ParameterDefinition(String(p, "name")!, String(p, "type") ?? String(p, "typeName") ?? "Object",
                p.TryGetProperty("defaultValue", out var d) && d.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? d : null))
            .ToList();
    }

    private static bool IsTrue(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static DefinitionError Error(string path, string code, string zh, string en) => new(path, code, zh, en);

    /// <summary>Re-reads the text token by token to name the JSON path where the syntax breaks.</summary>
    private static DefinitionError SyntaxError(string json, JsonException exception)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var stack = new List<(bool IsArray, int Index, string? Property)>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        stack[^1] = stack[^1] with { Property = reader.GetString() };
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        NextItem(stack);
                        stack.Add((reader.TokenType == JsonTokenType.StartArray, -1, null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        stack.RemoveAt(stack.Count - 1);
                        break;
                    default:
                        NextItem(stack);
                        break;
                }
            }
        }
        catch (JsonException)
        {
        }
        var path = new StringBuilder("$");
        foreach (var (isArray, i, property) in stack)
        {
            if (isArray && i >= 0)
                path.Append('[').Append(i).Append(']');
            else if (!isArray && property is not null)
                path.Append('.').Append(property);
        }
        var where = $"line {exception.LineNumber + 1}, position {exception.BytePositionInLine + 1}";
        return new DefinitionError(path.ToString(), "json.syntax", $"JSON 格式错误（第 {exception.LineNumber + 1} 行）", $"Malformed JSON at {where}: {exception.Message}");
    }

    private static void NextItem(List<(bool IsArray, int Index, string? Property)> stack)
    {
        if (stack.Count > 0 && stack[^1].IsArray)
            stack[^1] = stack[^1] with { Index = stack[^1].Index + 1 };
    }
}
