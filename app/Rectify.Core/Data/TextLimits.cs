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

    /// <summary>Entity type name → property → (maximum length, the field's Chinese and English name).</summary>
    private static readonly Dictionary<string, Dictionary<string, (int Max, string Zh, string En)>> Limits = new()
    {
        ["Finding"] = new()
        {
            ["Location"] = (Line, "问题位置", "location"),
            ["Description"] = (Paragraph, "问题描述", "description"),
            ["Requirement"] = (Paragraph, "整改要求", "requirement"),
            ["DeadlineReason"] = (Paragraph, "期限调整理由", "deadline reason"),
        },
        ["RectificationReport"] = new()
        {
            ["Measures"] = (Document, "整改措施", "measures"),
            ["Links"] = (Paragraph, "整改链接", "links"),
            ["ReviewComment"] = (Paragraph, "审核意见", "review comment"),
        },
        ["ExtensionRequest"] = new()
        {
            ["Reason"] = (Paragraph, "延期理由", "reason"),
            ["DecisionComment"] = (Paragraph, "审批意见", "decision comment"),
        },
        ["FindingComment"] = new() { ["Body"] = (Paragraph, "留言", "comment") },
        ["Notice"] = new()
        {
            ["Title"] = (300, "通报标题", "title"),
            ["Number"] = (100, "文号", "number"),
            ["Office"] = (Name, "发文单位", "office"),
            ["Addressees"] = (Paragraph, "主送单位", "addressees"),
            ["Introduction"] = (Document, "通报正文", "introduction"),
            ["Requirements"] = (Document, "工作要求", "requirements"),
            ["Attachments"] = (Paragraph, "附件说明", "attachments"),
            ["ContactLine"] = (Line, "联系方式", "contact line"),
        },
        ["Inspection"] = new() { ["Title"] = (300, "检查名称", "title"), ["Office"] = (Name, "检查单位", "office") },
        ["Unit"] = new() { ["Name"] = (Name, "单位名称", "unit name"), ["Aliases"] = (Paragraph, "单位别名", "aliases") },
        ["Contact"] = new()
        {
            ["Name"] = (Name, "联系人姓名", "contact name"),
            ["Title"] = (Name, "职务", "contact title"),
            ["Phone"] = (Name, "电话", "phone"),
            ["Email"] = (Name, "邮箱", "email"),
        },
        ["Category"] = new()
        {
            ["Name"] = (Name, "类别名称", "category name"),
            ["NameEn"] = (Name, "英文名称", "English name"),
            ["Description"] = (Paragraph, "类别说明", "category description"),
        },
        ["TemplateVersion"] = new()
        {
            ["Subject"] = (Line, "邮件主题模板", "subject template"),
            ["Html"] = (Template, "模板正文", "template"),
            ["Text"] = (Template, "纯文本模板", "plain-text template"),
        },
        ["AppUser"] = new() { ["DisplayName"] = (Name, "姓名", "display name"), ["UserName"] = (Name, "用户名", "user name") },
    };

    public static void Check(IEnumerable<EntityEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified) || !Limits.TryGetValue(entry.Metadata.ClrType.Name, out var fields))
                continue;
            foreach (var (property, limit) in fields)
            {
                // Only what this save writes: a row stored before a limit existed still takes its other changes.
                if (entry.Metadata.FindProperty(property) is not null && entry.Property(property) is { } value
                    && (entry.State == EntityState.Added || value.IsModified))
                    Check(value.CurrentValue as string, limit);
            }
        }
    }

    /// <summary>
    /// Checks one value before any work starts, for input that many saves will store (a bulk action's comment or
    /// reason): refused once for the whole request rather than on every finding.
    /// </summary>
    public static void Check<TEntity>(string property, string? text) => Check(text, Limits[typeof(TEntity).Name][property]);

    private static void Check(string? text, (int Max, string Zh, string En) limit)
    {
        if (text is null || text.Length <= limit.Max)
            return;
        throw RectifyException.Invalid("text.too_long", $"“{limit.Zh}”过长：最多 {limit.Max} 个字（现有 {text.Length} 个）。",
            $"The {limit.En} is too long: at most {limit.Max} characters ({text.Length} given).");
    }
}
