namespace Rectify.Workflows.Activities;

/// <summary>What the designer shows for an activity type, and what the validator checks: Elsa's descriptor, in Chinese and English.</summary>
public sealed record ActivityDescriptor(
    string TypeName,
    string DisplayName,
    string DisplayNameEn,
    string Category,
    string CategoryEn,
    string Description,
    string DescriptionEn)
{
    /// <summary>Elsa's kind: Action, Task (waits for people), Trigger, Job.</summary>
    public string Kind { get; init; } = "Action";
    public IReadOnlyList<InputDescriptor> Inputs { get; init; } = [];
    /// <summary>Outcome ports, in order, e.g. Submitted and Overdue; empty for terminal activities.</summary>
    public IReadOnlyList<PortDescriptor> Outcomes { get; init; } = [PortDescriptor.Done];
    /// <summary>Ports that hold an activity inside this one (If's Then and Else, a loop's Body), as the Studio edits them; not connectable.</summary>
    public IReadOnlyList<PortDescriptor> EmbeddedPorts { get; init; } = [];
    /// <summary>True when the ports come from the activity's own configuration (FlowSwitch cases, FlowFork branches).</summary>
    public bool HasDynamicPorts { get; init; }
    public bool IsStart { get; init; }
    public bool IsTerminal { get; init; }
    /// <summary>False for types the runtime runs but the toolbox does not offer (a nested Elsa.Flowchart: the designer draws flowcharts itself).</summary>
    public bool IsBrowsable { get; init; } = true;
    /// <summary>Flow plumbing (start, fork, join) is left out of the finding's step list.</summary>
    public bool ShowInTimeline { get; init; } = true;
    /// <summary>The short type name Elsa shows (the part after the namespace).</summary>
    public string Name => TypeName[(TypeName.LastIndexOf('.') + 1)..];
}

public sealed record PortDescriptor(string Name, string DisplayName, string DisplayNameEn)
{
    public static readonly PortDescriptor Done = new("Done", "完成", "Done");
    /// <summary>The embedded port of a container running one activity (a FlowNode's or a loop's body).</summary>
    public static readonly PortDescriptor Body = new("Body", "内容", "Body");
}

/// <summary>UI hints Elsa Studio understands.</summary>
public static class UiHints
{
    public const string SingleLine = "singleline";
    public const string MultiLine = "multiline";
    public const string Dropdown = "dropdown";
    public const string CheckList = "checklist";
    public const string Checkbox = "checkbox";
    public const string Code = "code-editor";
    public const string DateTimePicker = "datetime-picker";
    /// <summary>A list of names edited as chips, each one an outcome port (FlowFork's branches).</summary>
    public const string DynamicOutcomes = "dynamic-outcomes";
    /// <summary>FlowSwitch's case table (label and condition per row); each label is a port.</summary>
    public const string FlowSwitchEditor = "flow-switch-editor";
    /// <summary>Elsa.Switch's case table (label and condition per row); each label is an embedded port holding the case's activity.</summary>
    public const string SwitchEditor = "switch-editor";
}

/// <summary>Names of the option lists the designer API fills dropdowns from (<see cref="InputDescriptor.OptionsProvider"/>).</summary>
public static class OptionProviders
{
    /// <summary>The templates in templates/mail.</summary>
    public const string MailTemplates = "mail-templates";
    /// <summary>Liaison, Leader, Supervisors, Auditors (and Address).</summary>
    public const string RecipientKinds = "recipient-kinds";
    public const string Units = "units";
}

/// <summary>Formats of string inputs that publishing checks.</summary>
public static class InputFormats
{
    /// <summary>A cron expression as Elsa's Cron activity takes it: five fields, or six with seconds first.</summary>
    public const string Cron = "cron";
    /// <summary>JavaScript source given as literal text (Elsa's RunJavaScript script).</summary>
    public const string JavaScript = "javascript";
}

/// <summary>One input of an activity: name (PascalCase, camelCase in JSON), CLR-ish type name, labels, how to edit it.</summary>
public sealed record InputDescriptor(string Name, string TypeName, string DisplayName, string DisplayNameEn)
{
    public string Description { get; init; } = "";
    public string DescriptionEn { get; init; } = "";
    public string UiHint { get; init; } = UiHints.SingleLine;
    public bool Required { get; init; }
    /// <summary>The value used when the definition leaves the input out (as a literal string).</summary>
    public string? Default { get; init; }
    /// <summary>Fixed dropdown items (value, Chinese text, English text).</summary>
    public IReadOnlyList<(string Value, string Text, string TextEn)> Options { get; init; } = [];
    /// <summary>A dynamic list the host fills (see <see cref="OptionProviders"/>).</summary>
    public string? OptionsProvider { get; init; }
    public string DefaultSyntax { get; init; } = "Literal";
    /// <summary>False when the value sits on the activity as is (FlowSwitch's cases) instead of as {typeName, expression}.</summary>
    public bool IsWrapped { get; init; } = true;
    /// <summary>A text format a literal must follow beyond its type (see <see cref="InputFormats"/>), checked at publish.</summary>
    public string? Format { get; init; }
    public string JsonName => char.ToLowerInvariant(Name[0]) + Name[1..];
}
