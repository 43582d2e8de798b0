using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Mail.Templates;
using Rectify.Units;
using Rectify.Workflows;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Expressions;
using System.Globalization;
using static Rectify.Web.Localization.Lang;

namespace Rectify.Web.Elsa;

/// <summary>
/// /elsa/api/descriptors/* and /features/installed: what the Studio needs to draw the toolbox, the property panels and
/// the settings tabs. Activity descriptors come from the runtime's registry (Chinese names, ports, inputs); the
/// dynamic dropdowns (mail templates, recipient kinds, units) are filled here.
/// </summary>
public static class DescriptorsApi
{
    public static RouteGroupBuilder MapDescriptorsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/descriptors/activities", async (ActivityRegistry registry, MailTemplates templates, RectifyDb db, WorkflowDefinitionStore store, CancellationToken ct) =>
        {
            var units = await db.Set<Unit>().AsNoTracking().OrderBy(u => u.Name).Select(u => new { u.Id, u.Name }).ToListAsync(ct);
            var options = new Dictionary<string, IReadOnlyList<(string Value, string Text)>>
            {
                [OptionProviders.MailTemplates] = templates.Names.Order(StringComparer.Ordinal).Select(n => (n, TemplateLabel(n))).ToList(),
                [OptionProviders.Units] = units.Select(u => (u.Id.ToString(CultureInfo.InvariantCulture), u.Name)).ToList(),
            };
            var workflows = await store.UsableAsActivityAsync(ct);
            var unsupported = Unsupported(registry, (await store.ListLatestAsync(ct)).Select(v => v.Json), workflows)
                .Select(u => UnsupportedDescriptor(u.Type, u.Ports));
            var descriptors = registry.Descriptors.Select(d => StudioActivityDescriptor(d, options)).Prepend(FlowchartDescriptor)
                .Concat(workflows.Values.OrderBy(w => w.Definition.Name, StringComparer.Ordinal).Select(w => WorkflowActivityDescriptor(w.Version, w.Definition))).Concat(unsupported).ToList();
            return ElsaJson.List(descriptors);
        });

        api.MapGet("/descriptors/expression-descriptors", () => ElsaJson.List(ExpressionEvaluator.SupportedTypes.Order(StringComparer.Ordinal).Select(type => new
        {
            type,
            displayName = type switch { "Literal" => T("常量", "Literal"), "JavaScript" => "JavaScript", "Liquid" => "Liquid", _ => type },
            isSerializable = true,
            isBrowsable = true,
            properties = type switch
            {
                "JavaScript" => new Dictionary<string, object> { ["MonacoLanguage"] = "javascript" },
                "Liquid" => new Dictionary<string, object> { ["MonacoLanguage"] = "liquid" },
                _ => new Dictionary<string, object>(),
            },
        }).ToList()));

        // One instance per finding, started by the finding itself: the only activation there is.
        api.MapGet("/descriptors/workflow-activation-strategies", () => ElsaJson.List(new[]
        {
            new { typeName = "Rectify.OnePerFinding", displayName = T("每个问题一个流程实例", "One instance per finding"), description = T("问题交办时启动，由问题的事件推动。", "Started when a finding is recorded, driven by its events.") },
        }));
        api.MapGet("/descriptors/log-persistence-strategies", () => ElsaJson.List(new[]
        {
            new { typeName = "Rectify.Journal", displayName = T("记录全部", "Include"), description = T("每一步的输入、结果和事件都记入流程日志。", "Every step's inputs, outcome and events go to the instance's journal.") },
        }));
        api.MapGet("/descriptors/incident-strategies", () => ElsaJson.List(new[]
        {
            new { typeName = "Rectify.FaultInstance", displayName = T("出错即停止", "Fault"), description = T("一步出错时，流程实例标记为出错并停止。", "A failing step faults the instance, which stops.") },
        }));
        api.MapGet("/descriptors/commit-strategies/workflows", () => ElsaJson.List(Array.Empty<object>()));
        api.MapGet("/descriptors/commit-strategies/activities", () => ElsaJson.List(Array.Empty<object>()));
        api.MapGet("/descriptors/storage-drivers", () => ElsaJson.List(new[]
        {
            new { typeName = "Rectify.InstanceState", displayName = T("流程实例", "Workflow instance"), priority = 0, deprecated = false },
        }));
        api.MapGet("/descriptors/variables", () => ElsaJson.List(VariableTypes.Select(v => new
        {
            typeName = v.TypeName, displayName = T(v.Zh, v.En), category = T("基础", "Primitives"), description = "",
        }).ToList()));
        // No SignalR hub and no resilience module: the Studio polls and hides those tabs.
        api.MapGet("/features/installed", () => ElsaJson.List(Array.Empty<object>()));
        return api;
    }

    private static readonly (string TypeName, string Zh, string En)[] VariableTypes =
    [
        ("String", "文本", "Text"),
        ("Int32", "整数", "Integer"),
        ("Boolean", "是/否", "Boolean"),
        ("Object", "对象", "Object"),
    ];

    private static string TemplateLabel(string name) => name switch
    {
        "assigned" => T("交办通知 (assigned)", "Assigned (assigned)"),
        "comment" => T("问题留言 (comment)", "Comment (comment)"),
        "reminder" => T("催办提醒 (reminder)", "Reminder (reminder)"),
        "overdue" => T("逾期督办 (overdue)", "Overdue (overdue)"),
        "deadline-changed" => T("期限调整 (deadline-changed)", "Deadline changed (deadline-changed)"),
        "digest" => T("每日汇总 (digest)", "Digest (digest)"),
        "extension-decided" => T("延期审批结果 (extension-decided)", "Extension decided (extension-decided)"),
        "notice-unit" => T("通报送达 (notice-unit)", "Notice to a unit (notice-unit)"),
        "report-accepted" => T("整改通过 (report-accepted)", "Report accepted (report-accepted)"),
        "report-returned" => T("整改退回 (report-returned)", "Report returned (report-returned)"),
        "report-submitted" => T("报告待审核 (report-submitted)", "Report submitted (report-submitted)"),
        _ => name,
    };

    /// <summary>The root container the Studio edits; not in the toolbox.</summary>
    private static readonly object FlowchartDescriptor = new
    {
        typeName = "Elsa.Flowchart", @namespace = "Elsa", name = "Flowchart", version = 1, category = "Flow",
        displayName = "Flowchart", description = "", kind = "Action", isBrowsable = false, isContainer = true,
        isStart = false, isTerminal = false, inputs = Array.Empty<object>(), outputs = Array.Empty<object>(),
        ports = Array.Empty<object>(), customProperties = new Dictionary<string, object>(), constructionProperties = new Dictionary<string, object>(),
    };

    /// <summary>
    /// The activity types the definitions use that Rectify does not run, each with the ports its connections leave from.
    /// The Studio draws an activity only with a descriptor: without these such a definition opens as a blank canvas.
    /// </summary>
    /// <param name="workflows">The published definitions usable as activities, by id: nodes running one of them are supported.</param>
    public static IReadOnlyList<(string Type, IReadOnlyList<string> Ports)> Unsupported(ActivityRegistry registry, IEnumerable<string> definitions,
        IReadOnlyDictionary<string, (WorkflowDefinitionVersion Version, WorkflowDefinition Definition)> workflows)
    {
        var found = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var json in definitions)
        {
            if (DefinitionParser.TryParse(json).Definition is not { } definition) continue;
            foreach (var node in definition.Activities.Where(a => a.WorkflowDefinitionId is { } id ? !workflows.ContainsKey(id) : !registry.TryGet(a.Type, out _)))
            {
                var ports = found.TryGetValue(node.Type, out var known) ? known : found[node.Type] = new SortedSet<string>(StringComparer.Ordinal);
                ports.UnionWith(definition.Connections.Where(c => c.SourceId == node.Id).Select(c => c.SourcePort));
            }
        }
        return found.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, (IReadOnlyList<string>)f.Value.ToList())).ToList();
    }

    private static object UnsupportedDescriptor(string typeName, IReadOnlyList<string> ports)
    {
        var name = typeName[(typeName.LastIndexOf('.') + 1)..];
        return new
        {
            typeName, @namespace = typeName[..Math.Max(0, typeName.LastIndexOf('.'))], name, version = 1,
            category = T("不支持", "Unsupported"),
            displayName = T($"不支持的活动：{typeName}", $"Unsupported activity: {typeName}"),
            description = T("整改通不运行此类活动：删除它或换成支持的活动后才能发布。", "Rectify does not run this activity: remove or replace it before publishing."),
            kind = "Action", isBrowsable = false, isContainer = false, isStart = false, isTerminal = ports.Count == 0,
            inputs = Array.Empty<object>(), outputs = Array.Empty<object>(),
            ports = ports.Select(p => new { name = p, displayName = p, type = "Flow", isBrowsable = true }).ToList(),
            customProperties = new Dictionary<string, object>(), constructionProperties = new Dictionary<string, object>(),
        };
    }

    /// <summary>
    /// A published definition usable as an activity, described as Elsa describes it (WorkflowDefinitionActivityDescriptorFactory):
    /// its name in Pascal case as the type, its inputs and outputs, Done and its outcomes as ports, and the construction
    /// properties the Studio copies onto a dropped activity (which definition and version it runs).
    /// </summary>
    private static object WorkflowActivityDescriptor(WorkflowDefinitionVersion version, WorkflowDefinition w) => new
    {
        typeName = w.ActivityTypeName, @namespace = "", name = w.ActivityTypeName, version = version.Version,
        category = w.ActivityCategory ?? T("子流程", "Workflows"),
        displayName = w.Name, description = w.Description, kind = "Action", isBrowsable = true, isContainer = false,
        isStart = false, isTerminal = false,
        inputs = w.Inputs.Select((input, order) => new
        {
            name = input.Name, typeName = input.TypeName, displayName = input.Name, description = "", uiHint = UiHints.SingleLine,
            isWrapped = true, isBrowsable = true, defaultSyntax = "Literal", order = (float)order, category = (string?)null,
            defaultValue = (object?)null, isReadOnly = false, isSensitive = false, uiSpecifications = (object?)null,
        }).ToList(),
        outputs = w.Outputs.Select(output => new { name = output.Name, typeName = output.TypeName, displayName = output.Name, description = "", isBrowsable = true }).ToList(),
        ports = w.Outcomes.Prepend("Done").Distinct().Select(p => new { name = p, displayName = p == "Done" ? T("完成", "Done") : p, type = "Flow", isBrowsable = true }).ToList(),
        customProperties = new Dictionary<string, object>
        {
            ["RootType"] = "WorkflowDefinitionActivity",
            ["WorkflowDefinitionId"] = w.DefinitionId,
            ["WorkflowDefinitionVersionId"] = version.Id,
        },
        constructionProperties = new Dictionary<string, object>
        {
            ["WorkflowDefinitionId"] = w.DefinitionId,
            ["WorkflowDefinitionVersionId"] = version.Id,
            ["Version"] = version.Version,
        },
    };

    internal static object StudioActivityDescriptor(ActivityDescriptor d, IReadOnlyDictionary<string, IReadOnlyList<(string Value, string Text)>> options) => new
    {
        typeName = d.TypeName,
        @namespace = d.TypeName[..Math.Max(0, d.TypeName.LastIndexOf('.'))],
        name = d.Name,
        version = 1,
        category = T(d.Category, d.CategoryEn),
        displayName = T(d.DisplayName, d.DisplayNameEn),
        description = T(d.Description, d.DescriptionEn),
        kind = d.Kind,
        isBrowsable = true,
        isContainer = false,
        isStart = d.IsStart,
        isTerminal = d.IsTerminal,
        inputs = d.Inputs.Select((input, order) => StudioInput(input, order, options)).ToList(),
        outputs = Array.Empty<object>(),
        ports = d.Outcomes.Select(p => (Port: p, Type: "Flow")).Concat(d.EmbeddedPorts.Select(p => (Port: p, Type: "Embedded")))
            .Select(p => new { name = p.Port.Name, displayName = T(p.Port.DisplayName, p.Port.DisplayNameEn), type = p.Type, isBrowsable = true }).ToList(),
        customProperties = new Dictionary<string, object>(),
        constructionProperties = new Dictionary<string, object>(),
    };

    private static object StudioInput(InputDescriptor input, int order, IReadOnlyDictionary<string, IReadOnlyList<(string Value, string Text)>> options)
    {
        var items = input.OptionsProvider is { } provider && options.TryGetValue(provider, out var provided)
            ? provided
            : input.Options.Select(o => (o.Value, T(o.Text, o.TextEn))).ToList();
        var isList = input.UiHint == UiHints.CheckList;
        // The Studio looks up a hint's props under the hint's own name (Elsa's DropDownProps, CheckListProps).
        Dictionary<string, object>? specifications = input.UiHint switch
        {
            UiHints.Dropdown => new() { [UiHints.Dropdown] = new { selectList = new { items = items.Select(i => new { text = i.Text, value = i.Value }).ToList(), isFlagsEnum = false } } },
            UiHints.CheckList => new() { [UiHints.CheckList] = new { checkList = new { items = items.Select(i => new { value = i.Value, text = i.Text, isChecked = false }).ToList(), isFlagsEnum = false } } },
            _ => null,
        };
        return new
        {
            name = input.Name,
            typeName = input.TypeName,
            displayName = T(input.DisplayName, input.DisplayNameEn),
            description = T(input.Description, input.DescriptionEn),
            uiHint = input.UiHint,
            isWrapped = input.IsWrapped,
            isBrowsable = true,
            defaultSyntax = input.DefaultSyntax,
            order = (float)order,
            category = (string?)null,
            // A check list's default is a JSON array, not a string holding one: the Studio's CheckList re-serializes the
            // default, and a string would come back quoted, unparsable, so a new step showed no recipient ticked while
            // it ran with the default and the first tick saved only itself.
            defaultValue = isList && input.Default is { } kinds
                ? kinds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : (object?)input.Default,
            isReadOnly = false,
            isSensitive = false,
            uiSpecifications = specifications,
        };
    }
}
