using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
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

        await _bed.ReportAsync("住房保障信息未公开", At(3, 5), acceptAt: At(3, 6));       // on time: praised
        await _bed.ReportAsync("招生计划目录本年度未更新", At(3, 10), acceptAt: At(3, 16)); // report on time, fixed late
        await _bed.ReportAsync("政务新媒体更新不及时", At(3, 17), acceptAt: null);         // report late

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
        var addressees = lines.FindIndex(l => l.EndsWith("各有关单位：", StringComparison.Ordinal));
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
        var attachmentPage = texts.FindIndex(t => t.Contains("责任人联系表") && t.TrimStart().StartsWith("附件", StringComparison.Ordinal));
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

    [Fact]
    public async Task Wording_and_punctuation_follow_the_seeds_and_the_standard()
    {
        var notices = (Func<NoticeService, Task<string>> work) => _bed.WithAsync(sp => work(sp.GetRequiredService<NoticeService>()));
        var first = await notices(n => n.BodyHtmlAsync(_first, Sample.Auditor));
        var second = await notices(n => n.BodyHtmlAsync(_second, Sample.Auditor));

        // 回头看 is announced only by the notice that has the section.
        Assert.DoesNotContain("回头看", first);
        Assert.Contains("并对前期通报问题的整改情况开展了“回头看”。现将有关情况通报如下：", second);
        Assert.Contains("上期问题整改情况（“回头看”）", second);

        // A unit's findings are separated by "；" and its paragraph ends with "。".
        var units = second.Split('\n').Where(l => l.StartsWith("<p class=\"unit\">", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, units.Count);
        Assert.All(units, l => Assert.EndsWith("。</p>", l));
        Assert.Contains("（整改期限：2026年4月10日）；（2）", units.Single(l => l.Contains("马塘街道")));

        // 表扬: 住交局 rectified its finding on time; 教育局 fixed its own late and is named again instead.
        Assert.Contains("<p>住交局对到期问题全部按时整改到位，予以通报表扬。</p>", second);
        Assert.DoesNotContain("教育局、住交局对", second);

        // One attachment: "附件：" and its name, no number; then 署名, 成文日期 and the contact line as 附注 under them.
        var note = second.IndexOf("<p class=\"attachment-note\">附件：责任人联系表</p>", StringComparison.Ordinal);
        var signature = second.IndexOf("<p class=\"signature\">区政务公开办</p>", StringComparison.Ordinal);
        var date = second.IndexOf("<p class=\"date\">2026年3月20日</p>", StringComparison.Ordinal);
        var contact = second.IndexOf("<p class=\"note\">（联系人：杨道能，联系电话：0553-3123099）</p>", StringComparison.Ordinal);
        Assert.True(note > 0 && signature > note && date > signature && contact > date, second);
        Assert.Contains("<p class=\"attachment-label\">附件</p>", second);

        // Several attachments are numbered "1．", "2．", and the contact table's page is labelled with its number.
        var content = await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().ContentAsync(_second, Sample.Auditor));
        var several = await notices(n => Task.FromResult(n.RenderBody(content with { Attachments = ["各单位整改完成情况表", "责任人联系表"] })));
        Assert.Contains("<p class=\"attachment-note\">附件：1．各单位整改完成情况表</p>", several);
        Assert.Contains("<p class=\"attachment-note more\">2．责任人联系表</p>", several);
        Assert.Contains("<p class=\"attachment-label\">附件2</p>", several);
    }

    [Fact]
    public async Task The_notice_ledger_and_completion_files_are_valid_Open_XML()
    {
        await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(_second, Sample.Auditor));
        var files = new Dictionary<string, byte[]>
        {
            ["notice.docx"] = await DocxAsync(_second),
            ["notice without 版头.docx"] = await DocxAsync(_second, letterhead: false),
            ["first notice.docx"] = await DocxAsync(_first),
            ["ledger.xlsx"] = await _bed.WithAsync(sp => sp.GetRequiredService<FindingSheets>().LedgerAsync(Sample.Auditor)),
            ["completion.xlsx"] = await _bed.WithAsync(sp => sp.GetRequiredService<FindingSheets>().CompletionAsync(_second, Sample.Auditor)),
            ["template.xlsx"] = FindingSheets.ImportTemplate(),
        };
        var validator = new OpenXmlValidator(DocumentFormat.OpenXml.FileFormatVersions.Office2019);
        foreach (var (name, bytes) in files)
        {
            using OpenXmlPackage package = name.EndsWith(".docx", StringComparison.Ordinal)
                ? WordprocessingDocument.Open(new MemoryStream(bytes), false)
                : SpreadsheetDocument.Open(new MemoryStream(bytes), false);
            var errors = validator.Validate(package).Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}").ToList();
            Assert.True(errors.Count == 0, $"{name}: {errors.Count} errors\n{string.Join("\n", errors)}");
        }

        // Switched off, the document has no 版头: nothing red, the number above the title as before.
        var bare = DocumentXml(files["notice without 版头.docx"]);
        XNamespace w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        Assert.Empty(bare.Descendants(w + "color"));
        Assert.Empty(bare.Descendants(w + "pBdr"));
        Assert.NotEmpty(DocumentXml(files["notice.docx"]).Descendants(w + "pBdr"));
    }

    [Fact]
    public async Task The_xlsx_exports_read_back_with_dates_frozen_filtered_headers_and_no_formula()
    {
        var ledger = await _bed.WithAsync(sp => sp.GetRequiredService<FindingSheets>().LedgerAsync(Sample.Auditor));
        using (var book = SpreadsheetDocument.Open(new MemoryStream(ledger), false))
        {
            var sheet = Sheet(book);
            var rows = sheet.Descendants<Row>().ToList();
            var headers = rows[0].Elements<Cell>().Select(c => c.InnerText).ToList();
            Assert.Equal(["序号", "问题编号", "责任单位", "问题类别", "问题位置（栏目或网址）", "问题描述", "整改要求", "整改期限", "状态", "是否逾期",
                "所属检查", "交办时间", "最近报告提交时间", "报告是否按时", "整改完成时间"], headers);
            Assert.Equal(8, rows.Count);
            AssertFrozenAndFiltered(sheet, "A1:O8");

            // Typed dates in the office's time zone: the deadline a date, the acceptance 10:00 in Shanghai (02:00 UTC).
            var housing = rows.Single(r => r.InnerText.Contains("住房保障信息未公开"));
            var findingId = await _bed.FindingIdAsync("住房保障信息未公开");
            Assert.Equal(findingId.ToString(CultureInfo.InvariantCulture), CellAt(housing, "B").CellValue!.Text);
            var deadline = CellAt(housing, "H");
            Assert.Null(deadline.DataType);
            Assert.Equal(FebDeadline.ToDateTime(TimeOnly.MinValue).ToOADate(), double.Parse(deadline.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("yyyy\"年\"m\"月\"d\"日\"", FormatOf(book, deadline));
            var accepted = CellAt(housing, "O");
            Assert.Equal(new DateTime(2026, 3, 6, 10, 0, 0).ToOADate(), double.Parse(accepted.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture), 6);
            Assert.Equal("yyyy\"年\"m\"月\"d\"日\" hh:mm", FormatOf(book, accepted));

            // Text that a spreadsheet would run is kept as text: a string cell marked quotePrefix, no formula anywhere.
            Assert.Empty(sheet.Descendants<CellFormula>());
            var formula = rows.Select(r => CellAt(r, "F")).Single(c => c.InnerText.StartsWith("=HYPERLINK", StringComparison.Ordinal));
            Assert.Equal(CellValues.InlineString, formula.DataType!.Value);
            Assert.True(Format(book, formula).QuotePrefix?.Value, "quotePrefix");
            Assert.NotEqual(true, Format(book, CellAt(housing, "F")).QuotePrefix?.Value);
        }

        // The ledger reads back as it was written: its deadlines are typed dates, so an import of it on 3-20 names the
        // February findings' date exactly — and refuses them, as every path refuses a deadline already past
        // (finding.deadline_past), storing nothing.
        var imported = await _bed.WithAsync(sp => sp.GetRequiredService<FindingImporter>().ImportAsync(new MemoryStream(ledger),
            new ImportRequest("导回的台账", Rectify.Inspections.InspectionKind.ThirdPartyCheck, new(2026, 3, 1), new(2026, 3, 31)), Sample.Auditor));
        Assert.False(imported.Succeeded);
        Assert.Equal(0, imported.Imported);
        Assert.Contains(imported.Errors, e => e.Column == "H" && e.Code == "finding.deadline_past"
            && e.Message.Contains($"整改期限 {FebDeadline:yyyy-MM-dd} 早于今天", StringComparison.Ordinal));
        Assert.False(await _bed.Db.WithDbAsync(db => db.Set<Rectify.Inspections.Inspection>().AnyAsync(i => i.Title == "导回的台账")));

        var completion = await _bed.WithAsync(sp => sp.GetRequiredService<FindingSheets>().CompletionAsync(_second, Sample.Auditor));
        using (var book = SpreadsheetDocument.Open(new MemoryStream(completion), false))
        {
            var sheet = Sheet(book);
            AssertFrozenAndFiltered(sheet, "A1:H6");
            Assert.All(sheet.Descendants<Column>(), c => Assert.InRange(c.Width!.Value, 4, 50));
        }
    }

    private static Worksheet Sheet(SpreadsheetDocument book) =>
        ((WorksheetPart)book.WorkbookPart!.GetPartById(book.WorkbookPart.Workbook.Sheets!.Elements<Sheet>().First().Id!)).Worksheet;

    private static void AssertFrozenAndFiltered(Worksheet sheet, string range)
    {
        var pane = sheet.Descendants<Pane>().Single();
        Assert.Equal((PaneStateValues.Frozen, 1.0, "A2"), (pane.State!.Value, pane.VerticalSplit!.Value, pane.TopLeftCell!.Value));
        Assert.Equal(range, sheet.Descendants<AutoFilter>().Single().Reference!.Value);
    }

    private static Cell CellAt(Row row, string column) => row.Elements<Cell>().Single(c => c.CellReference!.Value == column + row.RowIndex!.Value);

    private static CellFormat Format(SpreadsheetDocument book, Cell cell) =>
        book.WorkbookPart!.WorkbookStylesPart!.Stylesheet.CellFormats!.Elements<CellFormat>().ElementAt((int)(cell.StyleIndex?.Value ?? 0));

    private static string FormatOf(SpreadsheetDocument book, Cell cell)
    {
        var id = Format(book, cell).NumberFormatId!.Value;
        return book.WorkbookPart!.WorkbookStylesPart!.Stylesheet.NumberingFormats!.Elements<NumberingFormat>().Single(f => f.NumberFormatId!.Value == id).FormatCode!.Value!;
    }

    private static XDocument DocumentXml(byte[] docx)
    {
        using var zip = new ZipArchive(new MemoryStream(docx));
        return XDocument.Load(zip.GetEntry("word/document.xml")!.Open());
    }
}
