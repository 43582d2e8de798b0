using System.IO.Compression;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Testing;

namespace Rectify.Notices.Tests;

/// <summary>The official .docx opens in LibreOffice and prints as A4 with the title, the number and the units.</summary>
public sealed class DocxExportTests : IAsyncLifetime
{
    private NoticeTestBed _bed = null!;
    private string _work = null!;

    public async Task InitializeAsync()
    {
        _bed = await NoticeTestBed.CreateAsync();
        _work = Path.Combine(_bed.Db.Directory, "docx");
        Directory.CreateDirectory(_work);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task The_docx_converts_to_an_A4_pdf_with_the_title_number_and_units()
    {
        var findings = NoticeTestBed.UnitNames.SelectMany((u, i) => Enumerable.Range(1, 6).Select(k =>
            (u, NoticeTestBed.CategoryNames[k % 4], $"{u}第{k}项问题：栏目信息长期未更新，部分链接无法打开", new DateOnly(2026, 3, 20)))).ToArray();
        var inspection = await _bed.InspectionAsync("2026年2月政务公开第三方检查", new(2026, 2, 1), new(2026, 2, 28), findings);
        var id = await _bed.DraftAsync("X政公办〔2026〕12号", new(2026, 3, 2), inspection);
        await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(id, Sample.Auditor));
        var docx = await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().DocxAsync(id, Sample.Auditor));
        var path = Path.Combine(_work, "notice.docx");
        await File.WriteAllBytesAsync(path, docx);

        // The layout as written: A4, margins 37/35/28/26 mm, 22 lines of 28 characters, outer page numbers.
        using (var zip = ZipFile.OpenRead(path))
        {
            XNamespace w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
            var document = XDocument.Load(zip.GetEntry("word/document.xml")!.Open());
            var section = document.Descendants(w + "sectPr").Single();
            var size = section.Element(w + "pgSz")!;
            Assert.Equal(("11906", "16838"), ((string)size.Attribute(w + "w")!, (string)size.Attribute(w + "h")!));
            var margin = section.Element(w + "pgMar")!;
            Assert.Equal(("2098", "1587", "1474", "1984"),
                ((string)margin.Attribute(w + "top")!, (string)margin.Attribute(w + "left")!, (string)margin.Attribute(w + "right")!, (string)margin.Attribute(w + "bottom")!));
            Assert.Equal("579", (string)section.Element(w + "docGrid")!.Attribute(w + "linePitch")!);
            var title = document.Descendants(w + "p").First(p => p.Value.Contains("政务公开工作检查情况的通报"));
            Assert.Equal("方正小标宋简体", (string)title.Descendants(w + "rFonts").First().Attribute(w + "eastAsia")!);
            Assert.Equal("44", (string)title.Descendants(w + "sz").First().Attribute(w + "val")!);
            var footers = zip.Entries.Where(e => e.FullName.StartsWith("word/footer", StringComparison.Ordinal)).Select(e => XDocument.Load(e.Open())).ToList();
            Assert.Equal(2, footers.Count);
            Assert.All(footers, f => Assert.Contains("— ", f.Root!.Value));
            Assert.Contains(footers, f => (string?)f.Descendants(w + "jc").Single().Attribute(w + "val") == "right");
            Assert.Contains(footers, f => (string?)f.Descendants(w + "jc").Single().Attribute(w + "val") == "left");
        }

        var pdf = Path.Combine(_work, "notice.pdf");
        await PdfPages.RunAsync("soffice", $"-env:UserInstallation=file://{_work}/lo-profile", "--headless", "--convert-to", "pdf", "--outdir", _work, path);
        Assert.True(File.Exists(pdf), "LibreOffice did not write the PDF");
        var text = await PdfPages.RunAsync("pdftotext", "-layout", pdf, "-");
        var flat = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        Assert.Contains("政务公开工作检查情况的通报", flat);
        Assert.Contains("X政公办〔2026〕12号", flat);
        foreach (var unit in NoticeTestBed.UnitNames)
            Assert.Contains(unit, flat);
        Assert.Contains("—1—", flat);
        var info = await PdfPages.RunAsync("pdfinfo", pdf);
        var pageSize = info.Split('\n').Single(l => l.StartsWith("Page size:", StringComparison.Ordinal));
        Assert.Contains("(A4)", pageSize);
        Assert.Matches(@"595(\.\d+)? x 84[12](\.\d+)? pts", pageSize);
    }
}
