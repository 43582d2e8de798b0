using Microsoft.Extensions.Time.Testing;
using Rectify.Templating;

namespace Rectify.Core.Tests.Templating;

/// <summary>View models like the mail ones (same member names as the templates use) and a renderer at a fixed instant.</summary>
internal static class Liquid
{
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary>Mon 2026-03-02 09:00 in Shanghai.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    public static readonly ViewModelTypes Types = new(typeof(Mail), typeof(Recipient), typeof(UnitView), typeof(FindingView));

    public static LiquidRenderer Renderer(TimeProvider? time = null) => new(Types, Shanghai, time ?? new FakeTimeProvider(Start));

    public static string Render(string source, object? model, RenderMode mode = RenderMode.Text, RenderLimits? limits = null) =>
        Renderer().Render(LiquidTemplate.Parse(source, "test.liquid"), model, mode, limits);

    public static Mail SampleMail(string? description = null) => new(
        "https://rectify.example.gov.cn", "区政务公开办", "2026年3月2日",
        new Recipient("张三", "zhang@example.gov.cn", "Liaison", true),
        "https://rectify.example.gov.cn/findings/7",
        new FindingView(7, "https://rectify.example.gov.cn/findings/7", "区教育局", "主动公开", "2026年第三方检查", "首页 > 政策文件",
            description ?? "“政策解读”栏目更新不及时", "按月更新", "一般", "2026年3月10日", "2026-03-10", 6, "剩余6个工作日（3月10日）", "Assigned", false),
        new UnitView(3, "区教育局", "李局长", "张三"),
        new Dictionary<string, object?> { ["comment"] = "请补充佐证材料", ["unit_name"] = "区教育局" });
}

internal sealed record Mail(
    string BaseUrl, string Office, string Today, Recipient Recipient, string Link, FindingView? Finding, UnitView? Unit,
    IReadOnlyDictionary<string, object?> Values);

internal sealed record Recipient(string Name, string Address, string Kind, bool IsLiaison)
{
    /// <summary>As the mail's own model: a liaison has an account, so the mail links into the system.</summary>
    public bool SignsIn => Kind == "Liaison";
}

internal sealed record UnitView(int Id, string Name, string LeaderName, string LiaisonName);

internal sealed record FindingView(
    int Id, string Link, string Unit, string Category, string Inspection, string Location, string Description,
    string Requirement, string Severity, string Deadline, string DeadlineDate, int DaysLeft, string Remaining, string Status, bool IsOverdue);
