using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Rectify.Data;

/// <summary>
/// The longest text a user may enter in each free-text field, checked on every save before anything is written
/// (the columns are unbounded text on SQLite, so the database would take a 20 MB reason). Refused with
/// <c>text.too_long</c>, naming the field.
/// </summary>
public static class TextLimits
{
    public const int Name = 200;
    public const int Line = 500;
    public const int Paragraph = 2_000;
    public const int Document = 10_000;

    /// <summary>A mail or notice template's source (the shipped ones are under 7,000 characters).</summary>
    public const int Template = 100_000;

    /// <summary>Core's entities: entity type name → property → limit (modules add theirs, see <see cref="DbModule"/>).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, TextLimit>> Core = new Dictionary<string, IReadOnlyDictionary<string, TextLimit>>
    {
        ["Finding"] = new Dictionary<string, TextLimit>
        {
            ["Location"] = new(Line, "问题位置", "location"),
            ["Description"] = new(Paragraph, "问题描述", "description"),
            ["Requirement"] = new(Paragraph, "整改要求", "requirement"),
            ["DeadlineReason"] = new(Paragraph, "期限调整理由", "deadline reason"),
        },
        ["RectificationReport"] = new Dictionary<string, TextLimit>
        {
            ["Measures"] = new(Document, "整改措施", "measures"),
            ["Links"] = new(Paragraph, "整改链接", "links"),
            ["ReviewComment"] = new(Paragraph, "审核意见", "review comment"),
        },
        ["ExtensionRequest"] = new Dictionary<string, TextLimit>
        {
            ["Reason"] = new(Paragraph, "延期理由", "reason"),
            ["DecisionComment"] = new(Paragraph, "审批意见", "decision comment"),
        },
        ["FindingComment"] = new Dictionary<string, TextLimit> { ["Body"] = new(Paragraph, "留言", "comment") },
        ["Inspection"] = new Dictionary<string, TextLimit> { ["Title"] = new(300, "检查名称", "title"), ["Office"] = new(Name, "检查单位", "office") },
        ["Unit"] = new Dictionary<string, TextLimit> { ["Name"] = new(Name, "单位名称", "unit name"), ["Aliases"] = new(Paragraph, "单位别名", "aliases") },
        ["Contact"] = new Dictionary<string, TextLimit>
        {
            ["Name"] = new(Name, "联系人姓名", "contact name"),
            ["Title"] = new(Name, "职务", "contact title"),
            ["Phone"] = new(Name, "电话", "phone"),
            ["Email"] = new(Name, "邮箱", "email"),
        },
        ["Category"] = new Dictionary<string, TextLimit>
        {
            ["Name"] = new(Name, "类别名称", "category name"),
            ["NameEn"] = new(Name, "英文名称", "English name"),
            ["Description"] = new(Paragraph, "类别说明", "category description"),
        },
        ["TemplateVersion"] = new Dictionary<string, TextLimit>
        {
            ["Subject"] = new(Line, "邮件主题模板", "subject template"),
            ["Html"] = new(Template, "模板正文", "template"),
            ["Text"] = new(Template, "纯文本模板", "plain-text template"),
        },
        ["AppUser"] = new Dictionary<string, TextLimit> { ["DisplayName"] = new(Name, "姓名", "display name"), ["UserName"] = new(Name, "用户名", "user name") },
    };

    public static void Check(IEnumerable<EntityEntry> entries, IReadOnlyDictionary<string, IReadOnlyDictionary<string, TextLimit>> limits)
    {
        foreach (var entry in entries)
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified) || !limits.TryGetValue(entry.Metadata.ClrType.Name, out var fields))
                continue;
            foreach (var (property, limit) in fields)
            {
                // Only what this save writes: a row stored before a limit existed still takes its other changes.
                if (entry.Metadata.FindProperty(property) is not null && entry.Property(property) is { } value
                    && (entry.State == EntityState.Added || value.IsModified) && TooLong(limit, value.CurrentValue as string) is { } error)
                    throw error;
            }
        }
    }

    /// <summary>The refusal of <paramref name="text"/> in a field of Core's entities, or null when it fits (also for a field without a limit).</summary>
    public static RectifyException? TooLong(string entity, string property, string? text) =>
        Core.TryGetValue(entity, out var fields) && fields.TryGetValue(property, out var limit) ? TooLong(limit, text) : null;

    /// <summary>
    /// Checks one value of a Core entity before any work starts, for input that many saves will store (a bulk
    /// action's comment or reason): refused once for the whole request rather than on every finding.
    /// </summary>
    public static void Check<TEntity>(string property, string? text)
    {
        if (TooLong(Core[typeof(TEntity).Name][property], text) is { } error)
            throw error;
    }

    private static RectifyException? TooLong(TextLimit limit, string? text) =>
        text is not null && text.Length > limit.Max
            ? RectifyException.Invalid("text.too_long", $"“{limit.Zh}”过长：最多 {limit.Max} 个字（现有 {text.Length} 个）。",
                $"The {limit.En} is too long: at most {limit.Max} characters ({text.Length} given).")
            : null;
}

/// <summary>The longest text a field takes, and the field's Chinese and English name for the error.</summary>
public readonly record struct TextLimit(int Max, string Zh, string En);
