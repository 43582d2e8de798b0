using System.Collections;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Rectify.Mail.Templates;

namespace Rectify.Benchmarks;

/// <summary>
/// The floor the template renderings are measured against in the same run: every text of the same model HTML-encoded
/// once into one buffer (what any HTML renderer must do at least), by reflection over the view-model records.
/// </summary>
internal static class Baseline
{
    public const string What = "every value of the model encoded once";

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static int Encode(object model)
    {
        var output = new StringBuilder();
        Walk(model, output);
        return output.Length;
    }

    /// <summary>100 messages of every mail template with a fixed finding (digests of 12 items).</summary>
    public static List<(string Name, object Model)> Mails(TemplateRenderer renderer)
    {
        var finding = new FindingView(7, "https://rectify.example.gov.cn/findings/7", "区教育局", "主动公开", "2026年第三方检查", "首页 > 政策文件",
            "“政策解读”栏目更新不及时", "按月更新", "一般", "2026年3月10日", "2026-03-10", 6, "剩余6个工作日（3月10日）", "待整改", false,
            new ReportView("张三", "2026年3月5日", false, "已更新栏目", "退回", "请补充佐证", "王审核"),
            new ExtensionView("张三", "2026年3月10日", "2026年3月20日", "系统升级", true, "同意", "同意延期"));
        var recipient = new RecipientView("张三", "zhang@example.gov.cn", "Liaison", true);
        var mail = new MailModel("https://rectify.example.gov.cn", "区政务公开办", "2026年3月2日", recipient, finding.Link, finding,
            new UnitView(3, "区教育局", "李局长", "张三"),
            new Dictionary<string, object?> { ["comment"] = "请补充佐证材料", ["part"] = "一、栏目未更新\n二、链接失效", ["notice_number"] = "〔2026〕3号", ["notice_title"] = "通报", ["unit_name"] = "区教育局" });
        var digest = new DigestModel(mail.BaseUrl, mail.Office, mail.Today, recipient, mail.BaseUrl + "/my", 12,
            Enumerable.Repeat(new DigestItemView("reminder", "【催办】区教育局：问题整改将于2026年3月10日到期", finding.Link, finding), 12).ToList());
        string[] names = ["assigned", "reminder", "overdue", "report-submitted", "report-returned", "report-accepted", "extension-decided", "notice-unit", "digest"];
        return Enumerable.Range(0, 100).SelectMany(_ => names.Where(renderer.Exists).Select(n => (n, n == "digest" ? (object)digest : mail))).ToList();
    }

    private static void Walk(object? value, StringBuilder output)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                Encoder.Encode(new StringWriter(output), text);
                return;
            case IDictionary dictionary:
                foreach (var item in dictionary.Values)
                    Walk(item, output);
                return;
            case IEnumerable list:
                foreach (var item in list)
                    Walk(item, output);
                return;
            case ValueType:
                output.Append(value);
                return;
        }
        foreach (var property in value.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length == 0)
                Walk(property.GetValue(value), output);
        }
    }
}
