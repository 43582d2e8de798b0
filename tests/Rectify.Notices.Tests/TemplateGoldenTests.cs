using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rectify.Mail;
using Rectify.Mail.Templates;
using Rectify.Time;

namespace Rectify.Notices.Tests;

/// <summary>
/// Every shipped mail and notice template renders to the same text as with the engine before (DotLiquid, whose output
/// is in Golden/expected). The templates are a frozen copy of templates/ as shipped when the engine changed
/// (Golden/templates), so later wording changes to templates/ do not move this test; the models are fixed here.
/// Kept in this project because it is the one that references both the mail and the notice renderers.
/// </summary>
public sealed class TemplateGoldenTests
{
    private static readonly string Golden = Path.Combine(Folder(), "Golden");
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));
    private static readonly OfficeClock Clock = new(Time, Options.Create(new OfficeOptions()));

    public static TheoryData<string> MailTemplates() =>
        [.. Directory.GetFiles(Path.Combine(Golden, "templates", "mail"), "*.subject.liquid").Select(f => Path.GetFileName(f)[..^".subject.liquid".Length]).Order()];

    [Theory]
    [MemberData(nameof(MailTemplates))]
    public void A_mail_template_renders_as_before(string name)
    {
        var options = Options.Create(new MailOptions { TemplatesDirectory = Path.Combine(Golden, "templates") });
        using var templates = new Rectify.Mail.Templates.MailTemplates(options, NullLogger<Rectify.Mail.Templates.MailTemplates>.Instance);
        var renderer = new TemplateRenderer(templates, options, Clock, Time);
        object model = name == "digest" ? Digest() : Mail(name);

        var mail = renderer.Render(name, model);

        Assert.Equal(Expected($"{name}.subject"), mail.Subject);
        Assert.Equal(Expected($"{name}.html"), mail.Html);
        Assert.Equal(Expected($"{name}.txt"), mail.Text);
    }

    [Fact]
    public void The_notice_body_and_page_render_as_before()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Rectify:NoticeTemplates"] = Path.Combine(Golden, "templates", "notice") }).Build();
        var templates = new NoticeTemplates(configuration, Clock, Time);
        var content = Notice();

        var body = templates.Render("notice.liquid", new Dictionary<string, object?> { ["n"] = content });
        var page = templates.Render("notice-page.liquid", new Dictionary<string, object?> { ["n"] = content, ["body"] = body });

        Assert.Equal(Expected("notice"), body);
        Assert.Equal(Expected("notice-page"), page);
    }

    private static string Expected(string name) => File.ReadAllText(Path.Combine(Golden, "expected", name));

    private static string Folder([CallerFilePath] string source = "") => Path.GetDirectoryName(source)!;

    private static FindingView Finding(int id, string description, bool overdue) => new(
        id, $"https://rectify.example.gov.cn/findings/{id}", "区教育局", "主动公开", "2026年第三方检查", "首页 > 政策文件 & 解读",
        description, "按月更新，<b>补齐</b>缺失内容", "一般", "2026年3月10日", "2026-03-10", overdue ? -2 : 6,
        overdue ? "逾期2个工作日（3月10日）" : "剩余6个工作日（3月10日）", overdue ? "Overdue" : "Assigned", overdue,
        new ReportView("张三", "2026年3月5日 10:30", false, "已更新栏目。\n已补发解读 <3 篇>", "Returned", "佐证不足，请补充\n截图 & 链接", "王审核"),
        new ExtensionView("张三", "2026年3月10日", "2026年3月20日", "系统升级", true, "Approved", "同意延期至 3月20日"));

    private static MailModel Mail(string name) => new(
        "https://rectify.example.gov.cn", "区政务公开办", "2026年3月2日",
        new RecipientView("张三", "zhang@example.gov.cn", "To", true),
        "https://rectify.example.gov.cn/findings/7",
        name == "notice-unit" ? null : Finding(7, "“政策解读”栏目 <更新> 不及时 & 链接失效", name == "overdue"),
        new UnitView(3, "区教育局", "李局长", "张三"),
        new Dictionary<string, object?>
        {
            ["comment"] = "请补充佐证材料\n（截图）", ["date"] = "2026年3月2日", ["notice_number"] = "政务公开办〔2026〕3号",
            ["notice_title"] = "关于 2026 年第一季度检查情况的通报", ["office"] = "区政务公开办", ["unit_name"] = "区教育局",
            ["part"] = "区教育局：\n1. 栏目 <空白> 未更新；\n2. 链接 & 附件失效。",
        });

    private static DigestModel Digest() => new(
        "https://rectify.example.gov.cn", "区政务公开办", "2026年3月2日",
        new RecipientView("张三", "zhang@example.gov.cn", "To", true), "https://rectify.example.gov.cn/my", 2,
        [
            new DigestItemView("reminder", "【催办】区教育局：问题整改将于2026年3月10日到期", "https://rectify.example.gov.cn/findings/7", Finding(7, "栏目 <空白>", false)),
            new DigestItemView("overdue", "【逾期】区教育局 & 科技局", "https://rectify.example.gov.cn/findings/8", Finding(8, "链接失效", true)),
        ]);

    private static NoticeContent Notice()
    {
        FindingLine Line(int index, string description, string note = "") => new()
        {
            Index = index, FindingId = index, Category = "主动公开", Location = "首页 > 栏目" + index, Description = description,
            Requirement = index % 2 == 0 ? "" : "及时更新", Deadline = new(2026, 3, 10), DeadlineText = "2026年3月10日", Note = note,
        };
        return new NoticeContent
        {
            NoticeId = 3, Title = "关于 2026 年第一季度政务公开检查情况的通报", Number = "政务公开办〔2026〕3号", Office = "区政务公开办",
            Addressees = "各街道办事处，区政府各部门", Date = new(2026, 3, 2), DateText = "2026年3月2日", PeriodText = "2026年1月至3月",
            Introduction = "为推进政务公开工作 <规范化>，现将检查情况通报如下。", AsOf = Time.GetUtcNow(), AsOfText = "2026年3月2日",
            CorrectsNumber = "政务公开办〔2026〕2号", CorrectsTitle = "关于检查情况的通报",
            Basic = new BasicFigures { Findings = 3, Units = 2, ByCategory = [new("主动公开", 2), new("政策解读", 1)] },
            NewFindings =
            [
                new UnitFindings { Index = 1, UnitId = 1, UnitName = "区教育局", Findings = [Line(1, "栏目 <空白> & 未更新"), Line(2, "解读缺失")] },
                new UnitFindings { Index = 2, UnitId = 2, UnitName = "区科技局", Findings = [Line(3, "链接失效")] },
            ],
            FollowUpNotRectified = [new UnitFindings { Index = 1, UnitId = 2, UnitName = "区科技局", Findings = [Line(4, "旧问题", "逾期未整改")] }],
            FollowUpNoReport = [new UnitFindings { Index = 1, UnitId = 1, UnitName = "区教育局", Findings = [Line(5, "旧问题二", "未提交整改报告")] }],
            Completion =
            [
                new CompletionRow { Index = 1, UnitId = 1, UnitName = "区教育局", Findings = 2, ReportsOnTime = 1, Accepted = 1, Overdue = 0, Rate = 50 },
                new CompletionRow { Index = 2, UnitId = 2, UnitName = "区科技局", Findings = 1, ReportsOnTime = 0, Accepted = 0, Overdue = 1, Rate = 0 },
            ],
            CompletionTotal = new CompletionRow { UnitName = "合计", Findings = 3, ReportsOnTime = 1, Accepted = 1, Overdue = 1, Rate = 33.3 },
            Requirements = ["按时整改 <不得拖延>。", "报送整改报告。"],
            Attachments = ["责任人联系表", "问题清单"],
            Contacts = [new ContactRow { Index = 1, UnitName = "区教育局", LeaderName = "李局长", LeaderTitle = "副局长", LeaderPhone = "1234", LiaisonName = "张三", LiaisonPhone = "5678", LiaisonEmail = "zhang@example.gov.cn" }],
            ContactLine = "联系人：王审核，电话 8888 & 9999",
            Sections = new() { ["basic"] = "一", ["findings"] = "二", ["follow_up"] = "三", ["completion"] = "四", ["requirements"] = "五" },
        };
    }
}
