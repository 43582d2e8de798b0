using Microsoft.Extensions.DependencyInjection;
using Rectify.Workflows.Definitions;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>Publishing refuses literal values that do not fit, missing templates, bad scripts and HTTP activities, naming activity, input and reason.</summary>
public class PublishChecksTests
{
    /// <summary>A start leading to the activity "x" under test (flat connection form).</summary>
    private static string One(string activity) =>
        """{"definitionId": "c", "root": {"type": "Elsa.Flowchart", "activities": [{"id": "start", "type": "Elsa.Start"}, """ + activity +
        """], "connections": [{"source": "start", "sourcePort": "Done", "target": "x", "targetPort": "In"}]}}""";

    public static TheoryData<string, string, string, string> Refused() => new()
    {
        { """{"id": "x", "type": "Elsa.Delay", "timeSpan": {"expression": {"type": "Literal", "value": "abc"}}}""", "input.invalid_value", "$.root.activities[1].timeSpan.expression.value", "“abc”不是时长" },
        { """{"id": "x", "type": "Rectify.WaitUntil", "offset": {"expression": {"type": "Literal", "value": "soon"}}}""", "input.invalid_value", "$.root.activities[1].offset.expression.value", "“soon”不是整数" },
        { """{"id": "x", "type": "Elsa.StartAt", "dateTime": {"expression": {"type": "Literal", "value": "tomorrow"}}}""", "input.invalid_value", "$.root.activities[1].dateTime.expression.value", "不是日期时间" },
        { """{"id": "x", "type": "Elsa.FlowJoin", "mode": {"expression": {"type": "Literal", "value": "Bogus"}}}""", "input.invalid_value", "$.root.activities[1].mode.expression.value", "“Bogus”不是可选值" },
        { """{"id": "x", "type": "Elsa.FlowSwitch", "mode": {"expression": {"type": "Literal", "value": "MatchSome"}}}""", "input.invalid_value", "$.root.activities[1].mode.expression.value", "“MatchSome”不是可选值" },
        { """{"id": "x", "type": "Rectify.SendEmail", "template": {"expression": {"type": "Literal", "value": "no-such"}}}""", "input.invalid_value", "$.root.activities[1].template.expression.value", "邮件模板“no-such”不存在" },
        { """{"id": "x", "type": "Rectify.SendEmail", "template": {"expression": {"type": "Literal", "value": "reminder"}}, "recipients": {"expression": {"type": "Literal", "value": "Liaison,Mayor"}}}""", "input.invalid_value", "$.root.activities[1].recipients.expression.value", "“Mayor”不是可选值" },
        { """{"id": "x", "type": "Elsa.FlowDecision", "condition": {"expression": {"type": "JavaScript", "value": "finding.id >"}}}""", "input.syntax_error", "$.root.activities[1].condition.expression.value", "JavaScript 语法错误" },
        { """{"id": "x", "type": "Elsa.WriteLine", "text": {"expression": {"type": "Liquid", "value": "{% if %}"}}}""", "input.syntax_error", "$.root.activities[1].text.expression.value", "Liquid 模板语法错误" },
        { """{"id": "x", "type": "Elsa.RunJavaScript", "script": {"expression": {"type": "Literal", "value": "let = ;"}}}""", "input.invalid_value", "$.root.activities[1].script.expression.value", "JavaScript 语法错误" },
        { """{"id": "x", "type": "Elsa.Cron", "cronExpression": {"expression": {"type": "Literal", "value": "BadCronExpression"}}}""", "input.invalid_value", "$.root.activities[1].cronExpression.expression.value", "不是有效的 cron 表达式" },
        { """{"id": "x", "type": "Elsa.FlowSwitch", "cases": [{"label": "A", "condition": {"type": "JavaScript", "value": "finding.id >"}}]}""", "input.syntax_error", "$.root.activities[1].cases[0].condition.value", "JavaScript 语法错误" },
        { """{"id": "x", "type": "Elsa.Switch", "cases": [{"label": "A", "condition": {"type": "JavaScript", "value": "finding.id >"}}]}""", "input.syntax_error", "$.root.activities[1].cases[0].condition.value", "JavaScript 语法错误" },
        { """{"id": "x", "type": "Elsa.Switch", "cases": [{"label": "A", "condition": {"type": "JavaScript", "value": "true"}}, {"label": "B", "condition": {"type": "JavaScript", "value": ""}}]}""", "input.required", "$.root.activities[1].cases[1].condition", "分支“B”：缺少条件" },
        { """{"id": "x", "type": "Elsa.Switch", "cases": [{"label": "A", "condition": {"type": "Literal", "value": "yes"}}]}""", "input.invalid_value", "$.root.activities[1].cases[0].condition.value", "“yes”不是 true 或 false" },
        { """{"id": "x", "type": "Elsa.FlowSwitch", "cases": [{"label": "A", "condition": {"type": "JavaScript", "value": "true"}}, {"label": "A", "condition": {"type": "JavaScript", "value": "false"}}]}""", "input.invalid_value", "$.root.activities[1].cases[1].label", "名称与前面的分支重复" },
        { """{"id": "x", "type": "Elsa.Switch", "mode": {"expression": {"type": "Literal", "value": "MatchAll"}}}""", "input.invalid_value", "$.root.activities[1].mode.expression.value", "“MatchAll”不是可选值" },
        { """{"id": "x", "type": "Rectify.SendEmail", "template": {"expression": {"type": "Literal", "value": "reminder"}}, "recipients": {"expression": {"type": "Object", "value": "[]"}}}""", "input.required", "$.root.activities[1].recipients", "没有收件人，至少勾选一类收件人或填写其他邮箱" },
        { """{"id": "x", "type": "Rectify.SendEmail", "template": {"expression": {"type": "Literal", "value": "reminder"}}, "recipients": {"expression": {"type": "Object", "value": []}}, "address": {"expression": {"type": "Literal", "value": " "}}}""", "input.required", "$.root.activities[1].recipients", "没有收件人" },
        { """{"id": "x", "type": "Rectify.SendEmail", "recipients": {"expression": {"type": "Literal", "value": "Liaison"}}}""", "input.required", "$.root.activities[1].template", "必须填写" },
        { """{"id": "x", "type": "Elsa.HttpEndpoint", "path": {"expression": {"type": "Literal", "value": "/hook"}}}""", "activity.http_unsupported", "$.root.activities[1].type", "不对外提供或调用 HTTP 端点" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_value_that_cannot_run_is_refused_with_the_activity_the_input_and_the_reason(string activity, string code, string path, string reason)
    {
        await using var database = await CreateAsync();
        await using var scope = database.Scope(Testing.Sample.Supervisor);
        var store = scope.ServiceProvider.GetRequiredService<WorkflowDefinitionStore>();
        var error = Assert.Single(Assert.Throws<WorkflowDefinitionException>(() => store.SaveAndPublishAsync(One(activity)).GetAwaiter().GetResult()).Errors);
        Assert.Equal(code, error.Code);
        Assert.Equal(path, error.Path);
        Assert.Contains(reason, error.Message);
        Assert.Contains("活动“x”", error.Message);
    }

    [Fact]
    public async Task Good_values_publish()
    {
        await using var database = await CreateAsync();
        await using var scope = database.Scope(Testing.Sample.Supervisor);
        var store = scope.ServiceProvider.GetRequiredService<WorkflowDefinitionStore>();
        await store.SaveAndPublishAsync(One("""{"id": "x", "type": "Rectify.SendEmail", "template": {"expression": {"type": "Literal", "value": "reminder"}}, "recipients": {"expression": {"type": "Literal", "value": "Liaison,Leader"}}}"""));
        await store.SaveAndPublishAsync(One("""{"id": "x", "type": "Elsa.FlowJoin", "mode": {"expression": {"type": "Literal", "value": "WaitAllActive"}}}""").Replace("\"c\"", "\"c2\""));
        // No kind ticked, but another address: the step mails someone.
        await store.SaveAndPublishAsync(One("""{"id": "x", "type": "Rectify.SendEmail", "template": {"expression": {"type": "Literal", "value": "overdue"}}, "recipients": {"expression": {"type": "Object", "value": "[]"}}, "address": {"expression": {"type": "Literal", "value": "office@example.gov.cn"}}}""").Replace("\"c\"", "\"c4\""));
        await store.SaveAndPublishAsync(One("""{"id": "x", "type": "Elsa.Switch", "mode": {"expression": {"type": "Literal", "value": "MatchAny"}}, "cases": [{"label": "A", "condition": {"type": "JavaScript", "value": "return finding.id > 0;"}}, {"label": "B", "condition": {"type": "Literal", "value": "false"}}]}""").Replace("\"c\"", "\"c5\""));
        await store.SaveAndPublishAsync(One("""{"id": "x", "type": "Elsa.FlowDecision", "condition": {"expression": {"type": "JavaScript", "value": "return finding.id > 0;"}}}""").Replace("\"c\"", "\"c3\""));
    }
}
