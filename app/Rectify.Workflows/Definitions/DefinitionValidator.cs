using System.Globalization;
using System.Text.Json;
using Rectify.Mail.Templates;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Expressions;

namespace Rectify.Workflows.Definitions;

/// <summary>
/// What publishing checks, so a broken definition is refused in the designer instead of failing a finding at 3 a.m.:
/// the JSON shape, unknown activity types (HTTP ones with their own reason), dangling connections (unknown activity
/// or port), missing required inputs, literal values against their types and choices (durations, numbers, dates,
/// modes, cron expressions, mail templates that exist), JavaScript and Liquid syntax, no start, and an End that no
/// path reaches. Each refusal names the activity, the input and the reason. Linear in the size of the definition.
/// </summary>
public sealed class DefinitionValidator(ActivityRegistry registry, ExpressionEvaluator? evaluator = null, MailTemplates? templates = null)
{
    /// <param name="workflows">The published definitions usable as activities (Elsa's WorkflowDefinitionActivity), by definition id.</param>
    public IReadOnlyList<DefinitionError> Validate(string json, IReadOnlyDictionary<string, WorkflowDefinition>? workflows = null)
    {
        var (definition, errors) = DefinitionParser.TryParse(json);
        return definition is null ? errors : Validate(definition, workflows);
    }

    public IReadOnlyList<DefinitionError> Validate(WorkflowDefinition definition, IReadOnlyDictionary<string, WorkflowDefinition>? workflows = null)
    {
        var errors = new List<DefinitionError>();
        // Sets: a fork may declare thousands of branches, each with its connection to check.
        var ports = new Dictionary<string, HashSet<string>?>();
        foreach (var node in definition.Activities)
        {
            WorkflowDefinition? child = null;
            if (node.WorkflowDefinitionId is { } childId && (child = workflows?.GetValueOrDefault(childId)) is null)
            {
                errors.Add(new(node.Path + ".workflowDefinitionId", "activity.workflow_missing",
                    $"活动“{Label(node)}”（{node.Type}）要运行的流程“{childId}”不存在、未发布或未设为可作为活动使用",
                    $"Activity '{Label(node)}' ({node.Type}) runs the workflow '{childId}', which does not exist, is not published or is not usable as an activity"));
                continue;
            }
            if (!registry.TryGet(node, out var activity))
            {
                errors.Add(node.Type.StartsWith("Elsa.Http", StringComparison.Ordinal) || node.Type == "Elsa.SendHttpRequest"
                    ? new(node.Path + ".type", "activity.http_unsupported",
                        $"活动“{Label(node)}”（{node.Type}）不能运行：整改流程由问题的事件驱动，不对外提供或调用 HTTP 端点",
                        $"Activity '{Label(node)}' ({node.Type}) cannot run: rectification workflows are driven by finding events and neither serve nor call HTTP endpoints")
                    : new(node.Path + ".type", "activity.unknown_type", $"未知的活动类型“{node.Type}”（活动“{Label(node)}”）", $"Unknown activity type '{node.Type}' (activity '{Label(node)}')"));
                continue;
            }
            ports[node.Id] = (child is null ? activity.PortsOf(node) : ["Done", .. child.Outcomes])?.ToHashSet();
            // A workflow used as an activity takes that workflow's declared inputs.
            var inputs = child?.Inputs.Select(p => new InputDescriptor(p.Name, p.TypeName.Contains('.') ? p.TypeName : "System." + p.TypeName, p.Name, p.Name)).ToList()
                ?? activity.Descriptor.Inputs;
            foreach (var input in inputs.Where(i => i.Required && i.Default is null))
            {
                var present = node.Inputs.TryGetValue(input.Name, out var value) && !(value.ExpressionType == "Literal" && value.IsEmpty)
                    || input.Name == "Variable" && SetVariable.VariableName(node) is not null;
                if (!present)
                    errors.Add(new($"{node.Path}.{input.JsonName}", "input.required", $"活动“{Label(node)}”的“{input.DisplayName}”必须填写", $"Activity '{Label(node)}': the input '{input.Name}' is required"));
            }
            // A mail step (recipient kinds and another address; Escalate does more than mail) must mail someone.
            if (inputs.FirstOrDefault(i => i.OptionsProvider == OptionProviders.RecipientKinds) is { } recipients
                && inputs.FirstOrDefault(i => i.Name == "Address") is { } address && NoRecipients(node, recipients, address))
                errors.Add(new($"{node.Path}.{recipients.JsonName}", "input.required",
                    $"活动“{Label(node)}”的“{recipients.DisplayName}”：没有收件人，至少勾选一类收件人或填写其他邮箱",
                    $"Activity '{Label(node)}', input '{recipients.Name}': no recipients; tick at least one kind or give another address"));
            foreach (var (name, value) in node.Inputs)
            {
                var input = inputs.FirstOrDefault(i => i.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
                var fault = value.ExpressionType switch
                {
                    "Literal" or "Object" => input is null || value.IsEmpty ? null : LiteralFault(input, value.Value),
                    "JavaScript" or "Liquid" => SyntaxFault(value),
                    _ => ($"不支持的表达式类型“{value.ExpressionType}”", $"unsupported expression type '{value.ExpressionType}'"),
                };
                if (fault is var (zh, en))
                {
                    var code = value.ExpressionType is "Literal" or "Object" ? "input.invalid_value"
                        : value.ExpressionType is "JavaScript" or "Liquid" ? "input.syntax_error" : "input.expression_unsupported";
                    errors.Add(new(code == "input.expression_unsupported" ? value.Path + ".expression.type" : value.Path + ".expression.value", code,
                        $"活动“{Label(node)}”的“{input?.DisplayName ?? name}”：{zh}", $"Activity '{Label(node)}', input '{input?.Name ?? name}': {en}"));
                }
            }
        }

        foreach (var node in definition.Activities.Where(n => n.Type is "Elsa.FlowSwitch" or "Elsa.Switch"))
            CheckCases(node, errors);

        foreach (var connection in definition.Connections)
        {
            if (!definition.ById.TryGetValue(connection.SourceId, out var source))
                errors.Add(new(connection.Path + ".source.activity", "connection.dangling_source", $"连线起点“{connection.SourceId}”不存在", $"The connection starts at a missing activity '{connection.SourceId}'"));
            else if (ports.GetValueOrDefault(source.Id) is { } known && !known.Contains(connection.SourcePort))
                errors.Add(new(connection.Path + ".source.port", "connection.unknown_port", $"“{connection.SourceId}”没有出口“{connection.SourcePort}”", $"'{connection.SourceId}' has no port '{connection.SourcePort}'"));
            if (!definition.ById.ContainsKey(connection.TargetId))
                errors.Add(new(connection.Path + ".target.activity", "connection.dangling_target", $"连线终点“{connection.TargetId}”不存在", $"The connection ends at a missing activity '{connection.TargetId}'"));
        }

        var start = definition.StartActivity();
        if (start is null)
        {
            errors.Add(new("$.root.activities", "definition.no_start", "流程没有起点", "The flowchart has no start activity"));
            return errors;
        }
        // One walk from the start answers every End (not one walk per End).
        var reachable = definition.ReachableFrom(start.Id);
        foreach (var end in definition.Activities.Where(a => a.Type == "Elsa.End" && a.ParentId is null && a.Id != start.Id && !reachable.Contains(a.Id)))
            errors.Add(new(end.Path, "activity.unreachable_end", $"结束活动“{end.Id}”无法到达", $"The End activity '{end.Id}' cannot be reached from the start"));
        return errors;
    }

    /// <summary>A mail step whose recipient kinds are set to none (an empty list) and that has no other address: it would mail nobody.</summary>
    private static bool NoRecipients(ActivityNode node, InputDescriptor recipients, InputDescriptor address)
    {
        if (!node.Inputs.TryGetValue(recipients.Name, out var value) || value.ExpressionType is not ("Literal" or "Object"))
            return false;
        // A blank literal runs with the default kinds; an empty list (or a blank object) runs with none.
        var empty = value.Value.ValueKind == JsonValueKind.Array ? value.Value.GetArrayLength() == 0
            : value.Value.ValueKind == JsonValueKind.String && (value.ExpressionType == "Object"
                ? ValueConversion.To<List<string>>(value.Value).Count == 0
                : value.Value.GetString()!.Trim() == "[]");
        return empty && (!node.Inputs.TryGetValue(address.Name, out var given) || given.ExpressionType == "Literal" && given.IsEmpty);
    }

    private static string Label(ActivityNode node) => node.DisplayText ?? node.Id;

    /// <summary>
    /// The cases of a FlowSwitch or Switch, which sit outside its wrapped inputs: each needs a label of its own (it
    /// names a port) and a condition, scripts must parse and a literal condition must be true or false.
    /// </summary>
    private void CheckCases(ActivityNode node, List<DefinitionError> errors)
    {
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, caseLabel, condition) in FlowSwitch.Cases(node))
        {
            var path = $"{node.Path}.cases[{i}]";
            var label = caseLabel ?? "";
            void Add(string at, string code, string zh, string en) =>
                errors.Add(new(at, code, $"活动“{Label(node)}”的分支“{label}”：{zh}", $"Activity '{Label(node)}', case '{label}': {en}"));
            if (string.IsNullOrWhiteSpace(label))
                Add(path + ".label", "input.required", "缺少名称", "the label is missing");
            else if (!labels.Add(label))
                Add(path + ".label", "input.invalid_value", "名称与前面的分支重复", "the label is used by an earlier case");
            if (condition.ValueKind != JsonValueKind.Object || !condition.TryGetProperty("type", out var type) || type.GetString() is not { } syntax
                || !condition.TryGetProperty("value", out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
                || value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString()))
            {
                Add(path + ".condition", "input.required", "缺少条件", "the condition is missing");
                continue;
            }
            var fault = syntax switch
            {
                "JavaScript" or "Liquid" => SyntaxFault(new InputValue(null, syntax, value, path + ".condition")),
                "Literal" or "Object" => value.ValueKind is JsonValueKind.True or JsonValueKind.False
                    || value.ValueKind == JsonValueKind.String && bool.TryParse(value.GetString()!.Trim(), out _)
                    ? null : ($"“{value}”不是 true 或 false", $"'{value}' is not true or false"),
                _ => ($"不支持的表达式类型“{syntax}”", $"unsupported expression type '{syntax}'"),
            };
            if (fault is var (zh, en))
                Add(path + ".condition.value", syntax is "JavaScript" or "Liquid" ? "input.syntax_error" : syntax is "Literal" or "Object" ? "input.invalid_value" : "input.expression_unsupported", zh, en);
        }
    }

    private (string Zh, string En)? SyntaxFault(InputValue value)
    {
        if (evaluator is null || value.Value.ValueKind != JsonValueKind.String)
            return null;
        if (value.ExpressionType == "JavaScript")
            return ScriptFault(value.Value.GetString()!) is { } script ? ($"JavaScript 语法错误：{script}", $"JavaScript syntax error: {script}") : null;
        try
        {
            evaluator.PrepareLiquid(value.Value.GetString()!);
            return null;
        }
        catch (ExpressionException ex)
        {
            return ($"Liquid 模板语法错误：{ex.Message}", ex.Message);
        }
    }

    /// <summary>Why a literal does not fit its input's type or choices, or null when it does.</summary>
    private (string Zh, string En)? LiteralFault(InputDescriptor input, JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : value.GetRawText();
        var invariant = CultureInfo.InvariantCulture;
        switch (input.TypeName)
        {
            case "System.TimeSpan" when !TimeSpan.TryParse(text, invariant, out _):
                return ($"“{text}”不是时长（格式如 1.00:00:00 表示一天，00:30:00 表示半小时）", $"'{text}' is not a time span (e.g. 1.00:00:00 for a day, 00:30:00 for half an hour)");
            case "System.Int32" when !int.TryParse(text, NumberStyles.Integer, invariant, out _):
                return ($"“{text}”不是整数", $"'{text}' is not a whole number");
            case "System.Boolean" when !bool.TryParse(text, out _):
                return ($"“{text}”不是 true 或 false", $"'{text}' is not true or false");
            case "System.DateTimeOffset" when !DateTimeOffset.TryParse(text, invariant, DateTimeStyles.None, out _):
                return ($"“{text}”不是日期时间（格式如 2026-12-01T09:00:00+08:00）", $"'{text}' is not a date and time (e.g. 2026-12-01T09:00:00+08:00)");
            case "System.TimeOnly" when !TimeOnly.TryParse(text, invariant, out _):
                return ($"“{text}”不是时刻（格式如 09:00）", $"'{text}' is not a time of day (e.g. 09:00)");
        }
        if (input.Format == InputFormats.JavaScript && evaluator is not null && ScriptFault(text) is { } script)
            return ($"JavaScript 语法错误：{script}", $"JavaScript syntax error: {script}");
        if (input.Format == InputFormats.Cron && CronFault(text) is { } cron)
            return ($"“{text}”不是有效的 cron 表达式：{cron}", $"'{text}' is not a valid cron expression: {cron}");
        if (input.OptionsProvider == OptionProviders.MailTemplates && templates is not null && !templates.Names.Contains(text, StringComparer.OrdinalIgnoreCase))
            return ($"邮件模板“{text}”不存在（templates/mail 下没有它的三个文件）", $"the mail template '{text}' does not exist in templates/mail");
        if (input.Options.Count > 0)
        {
            var chosen = input.UiHint == UiHints.CheckList ? ValueConversion.To<List<string>>(value) : [text];
            var unknown = chosen.FirstOrDefault(c => !input.Options.Any(o => o.Value.Equals(c, StringComparison.OrdinalIgnoreCase)));
            if (unknown is not null)
            {
                var allowed = string.Join("、", input.Options.Select(o => $"{o.Value}（{o.Text}）"));
                return ($"“{unknown}”不是可选值，可选：{allowed}", $"'{unknown}' is not one of {string.Join(", ", input.Options.Select(o => o.Value))}");
            }
        }
        return null;
    }

    private string? ScriptFault(string script)
    {
        try
        {
            evaluator!.PrepareJavaScript(script);
            return null;
        }
        catch (ExpressionException ex)
        {
            return ex.InnerException?.Message ?? ex.Message;
        }
    }

    private static string? CronFault(string text)
    {
        try
        {
            Cron.Parse(text);
            return null;
        }
        catch (Cronos.CronFormatException ex)
        {
            return ex.Message;
        }
    }
}
