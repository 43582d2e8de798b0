using System.IO.Compression;
using System.Xml.Linq;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Notices.Spreadsheets;
using Rectify.Testing;
using Rectify.Units;
using Xunit.Abstractions;

namespace Rectify.Notices.Tests;

/// <summary>
/// The notice as an office issues it, checked as an office would: the .docx through LibreOffice to PDF and measured
/// against GB/T 9704-2012 (版头, title lines, page numbers, the contact table), every generated .docx and .xlsx through
/// the Open XML validator, the .xlsx read back. Page images are kept under artifacts/notices for people to look at.
/// The data are those of seeds 000 and 004: a first notice, then a second that names again the units that rectified
/// late (教育局) or whose report came late or never (科技局, 卫健委), and praises 住交局, which rectified on time.
/// </summary>
public sealed class OfficialDocumentTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string LongTitle = "关于2026年3月政务公开、政府网站和政务新媒体工作检查情况的通报";
    private static readonly DateOnly FebDeadline = new(2026, 3, 13);
    private static readonly DateOnly MarDeadline = new(2026, 4, 10);
    // Contacts as offices write them: mobile and landline numbers, long government e-mail addresses.
    private static readonly Dictionary<string, (string LeaderPhone, string LiaisonPhone, string Email)> Contacts = new()
    {
        ["教育局"] = ("0553-4821234", "13905531234", "zwgk.jiaoyuju@yijiang.gov.cn"),
        ["科技局"] = ("0553-4822345", "18655312345", "kejiju.xinxigongkai@yijiang.gov.cn"),
        ["卫健委"] = ("0553-4823456", "15955334567", "weijianwei.zwgk@yijiang.gov.cn"),
        ["马塘街道"] = ("0553-4824567", "13855345678", "matangjiedao.dzb@yijiang.gov.cn"),
    };

    private NoticeTestBed _bed = null!;
    private int _first;
    private int _second;

    public async Task InitializeAsync()
    {
        _bed = await NoticeTestBed.CreateAsync();
        await _bed.Db.WithDbAsync(async db =>
        {
            foreach (var unit in await db.Set<Unit>().ToListAsync())
            {
                if (!Contacts.TryGetValue(unit.Name, out var c))
                    continue;
                unit.Leader.Phone = c.LeaderPhone;
                unit.Liaison.Phone = c.LiaisonPhone;
                unit.Liaison.Email = c.Email;
            }
            return await db.SaveChangesAsync();
        });
        var february = await _bed.InspectionAsync("2026年2月政务公开第三方检查", new(2026, 2, 1), new(2026, 2, 28),
            ("教育局", "主动公开", "招生计划目录本年度未更新", FebDeadline),
            ("科技局", "政策解读", "=HYPERLINK(\"http://evil.example\",\"政策解读栏目无解读材料\")", FebDeadline),
            ("住交局", "主动公开", "住房保障信息未公开", FebDeadline),
            ("卫健委", "政务新媒体", "政务新媒体更新不及时", FebDeadline));
        _first = await _bed.DraftAsync("X政公办〔2026〕1号", new(2026, 3, 2), february);
        await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(_first, Sample.Auditor));

        await ReportAsync("住房保障信息未公开", At(3, 5), acceptAt: At(3, 6));       // on time: praised
        await ReportAsync("招生计划目录本年度未更新", At(3, 10), acceptAt: At(3, 16)); // report on time, fixed late
        await ReportAsync("政务新媒体更新不及时", At(3, 17), acceptAt: null);         // report late

        _bed.Db.Clock.SetUtcNow(At(3, 20));
        var march = await _bed.InspectionAsync("2026年3月政务公开第三方检查", new(2026, 3, 1), new(2026, 3, 31),
            ("教育局", "政策解读", "政策文件未标注有效性，解读材料未与文件关联", MarDeadline),
            ("马塘街道", "互动服务", "互动回应超过规定时限", MarDeadline),
            ("马塘街道", "主动公开", "本年度本级政府制定的规范性文件未公开", MarDeadline));
        _second = await _bed.WithAsync(async sp =>
        {
            var notices = sp.GetRequiredService<NoticeService>();
            var draft = notices.NewDraft([march], new(2026, 3, 1), new(2026, 3, 31), "区政务公开办") with
            {
                Number = "X政公办〔2026〕2号", Title = LongTitle, Date = new(2026, 3, 20),
                ContactLine = "联系人：杨道能，联系电话：0553-3123099",
            };
            return (await notices.CreateDraftAsync(draft, Sample.Auditor)).Id;
        });
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private static DateTimeOffset At(int month, int day) => new(2026, month, day, 2, 0, 0, TimeSpan.Zero); // 10:00 in Shanghai

    private async Task ReportAsync(string description, DateTimeOffset submitAt, DateTimeOffset? acceptAt)
    {
        var id = await _bed.FindingIdAsync(description);
        var unitId = await _bed.Db.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.UnitId).SingleAsync());
        _bed.Db.Clock.SetUtcNow(submitAt);
        var report = await _bed.WithAsync(sp => sp.GetRequiredService<FindingLifecycle>()
            .SubmitReportAsync(id, new ReportContent("已更新栏目内容", true, ["https://www.example.gov.cn/xxgk/1.html"], []), Sample.LiaisonOf(unitId)), Sample.LiaisonOf(unitId));
        if (acceptAt is { } at)
        {
            _bed.Db.Clock.SetUtcNow(at);
            await _bed.WithAsync(sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(id, report.Id, true, "整改到位", Sample.Auditor));
        }
    }

    private Task<byte[]> DocxAsync(int id, bool? letterhead = null) =>
        _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().DocxAsync(id, Sample.Auditor, letterhead));

    private static string Artifacts(string name)
    {
        var folder = Path.Combine(NoticeTestBed.RepositoryRoot(), "artifacts", "notices", name);
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        return folder;
    }

    [Fact]
    public async Task The_pdf_of_the_notice_is_laid_out_as_GB_T_9704_says()
    {
        var folder = Artifacts("notice");
        var docx = Path.Combine(folder, "notice.docx");
        await File.WriteAllBytesAsync(docx, await DocxAsync(_second));

        var pdf = await PdfPages.ConvertAsync(docx, folder);

        var info = await PdfPages.RunAsync("pdfinfo", pdf.Pdf);
        Assert.Matches(@"Page size:\s+595(\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info);
        Assert.True(pdf.Pages.Count >= 3, $"{pdf.Pages.Count} pages");
        Assert.All(Directory.GetFiles(folder, "page-*.ppm"), ppm => Assert.True(File.Exists(Path.ChangeExtension(ppm, ".png"))));

        // 版头 (7.2): the red line as wide as the type area (156 mm from 28 mm), 4 mm under the 发文字号; the red
        // 发文机关标志 with its top edge 35 mm under the type area's (37 mm from the page's top).
        var first = pdf.Pages[0];
        var redLine = first.Runs(first.IsRed, minRunMm: 100).ToList();
        Assert.NotEmpty(redLine);
        var line = (Top: redLine.Min(r => r.Y), Bottom: redLine.Max(r => r.Y), redLine[0].Left, redLine[0].Right);
        Assert.True(line.Bottom - line.Top < 1, $"one thin line, {line.Top:0.0}–{line.Bottom:0.0} mm");
        Assert.InRange(line.Left, 27, 29);
        Assert.InRange(line.Right - line.Left, 155, 157);
        var markRows = first.InkRows(first.IsRed, 0, line.Top - 1);
        Assert.NotEmpty(markRows);
        var numberRows = first.InkRows(first.IsDark, markRows.Max() + 1, line.Top);
        Assert.NotEmpty(numberRows);
        var underNumber = line.Top - numberRows.Max();
        output.WriteLine($"标志 top {markRows.Min():0.00} mm (standard 72), red line at {line.Top:0.00} mm, {underNumber:0.00} mm under the 发文字号 (standard 4)");
        Assert.InRange(markRows.Min(), 72 - 1.5, 72 + 1.5);
        Assert.InRange(underNumber, 3, 5);

        // The title in balanced lines, words whole: no line holds less than half of the longest, "通报" never alone.
        var text1 = await pdf.TextAsync(1);
        var lines = text1.Split('\n').Select(l => string.Concat(l.Where(c => !char.IsWhiteSpace(c)))).Where(l => l.Length > 0).ToList();
        var number = lines.FindIndex(l => l == "X政公办〔2026〕2号");
        var addressees = lines.FindIndex(l => l.EndsWith("各有关单位："));
        Assert.True(number >= 0 && addressees > number + 1, text1);
        var titleLines = lines[(number + 1)..addressees];
        output.WriteLine("title lines: " + string.Join(" / ", titleLines));
        Assert.Equal(LongTitle, string.Concat(titleLines));
        Assert.Equal(2, titleLines.Count);
        Assert.All(titleLines, l => Assert.True(l.Length * 2 >= titleLines.Max(t => t.Length), string.Join(" / ", titleLines)));
        Assert.NotEqual("通报", titleLines[^1]);

        // Page numbers (7.5): the 一字线 7 mm under the type area (262 mm from the top), odd pages right, even left.
        for (var i = 0; i < pdf.Pages.Count; i++)
        {
            var page = pdf.Pages[i];
            var dash = page.Runs(page.IsDark, minRunMm: 3, fromMm: 262).ToList();
            Assert.NotEmpty(dash);
            var offset = dash.Min(r => r.Y) - 262;
            output.WriteLine($"page {i + 1}: 一字线 {offset:0.00} mm under the type area, from {dash[0].Left:0.0} to {dash.Max(r => r.Right):0.0} mm");
            Assert.InRange(offset, 6, 8);
            if (i % 2 == 0)
                Assert.True(dash.Min(r => r.Left) > 105, $"page {i + 1}: the number on the right");
            else
                Assert.True(dash.Max(r => r.Right) < 105, $"page {i + 1}: the number on the left");
        }

        // The attachment starts a page of its own with "附件" alone (one attachment) on its first line, and no phone
        // number or e-mail address of the contact table is broken across lines.
        var texts = new List<string>();
        for (var i = 1; i <= pdf.Pages.Count; i++)
            texts.Add(await pdf.TextAsync(i));
        var attachmentPage = texts.FindIndex(t => t.Contains("责任人联系表") && t.TrimStart().StartsWith("附件"));
        Assert.True(attachmentPage > 0, "the attachment on a page of its own");
        Assert.Equal("附件", texts[attachmentPage].Split('\n').Select(l => l.Trim()).First(l => l.Length > 0));
        var table = string.Join('\n', texts.Skip(attachmentPage));
        foreach (var (leaderPhone, liaisonPhone, email) in Contacts.Values)
        {
            Assert.Contains(leaderPhone, table);
            Assert.Contains(liaisonPhone, table);
            Assert.Contains(email, table);
        }
    }
}
