namespace Rectify.Notices.Spreadsheets;

/// <summary>The columns of the import template, which the ledger also carries so a ledger imports back as it is.</summary>
public static class FindingColumns
{
    public const string Unit = "责任单位";
    public const string Category = "问题类别";
    public const string Location = "问题位置（栏目或网址）";
    public const string Description = "问题描述";
    public const string Requirement = "整改要求";
    public const string Deadline = "整改期限（日期或工作日数）";

    public static readonly string[] Import = [Unit, Category, Location, Description, Requirement, Deadline];

    /// <summary>Other ways offices head these columns; compared without spaces and bracketed notes.</summary>
    internal static readonly Dictionary<string, string[]> Synonyms = new()
    {
        [Unit] = ["责任单位", "单位", "单位名称", "被检查单位"],
        [Category] = ["问题类别", "类别", "问题类型", "类型"],
        [Location] = ["问题位置", "位置", "栏目", "网址", "栏目或网址", "问题栏目"],
        [Description] = ["问题描述", "描述", "存在问题", "问题"],
        [Requirement] = ["整改要求", "要求"],
        [Deadline] = ["整改期限", "期限", "整改时限", "时限"],
    };

    internal static string Normalize(string header)
    {
        var text = new string(header.Where(c => !char.IsWhiteSpace(c)).ToArray());
        var cut = text.IndexOfAny(['（', '(']);
        return cut > 0 ? text[..cut] : text;
    }
}
