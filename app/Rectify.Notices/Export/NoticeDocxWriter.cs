using System.Xml.Linq;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Rectify.Notices;

/// <summary>
/// Lays the rendered notice body (the XHTML fragment of notice.liquid) out as an official document in the
/// GB/T 9704-2012 format: A4, top margin 37 mm, binding (left) margin 28 mm, type area 156 × 225 mm,
/// 22 lines of 28 characters (line grid of 579 twips, body characters 0.25 pt tighter); title 2号 小标宋, body 3号 仿宋_GB2312, first-level headings 黑体, second-level 楷体;
/// page numbers "— 1 —" in 4号 宋体 on the outer side (odd pages right, even pages left).
/// </summary>
public static class NoticeDocxWriter
{
    // Twentieths of a point; 1 mm = 56.6929 twips.
    private const int PageWidth = 11906, PageHeight = 16838;
    private const int MarginTop = 2098, MarginLeft = 1587, MarginRight = 1474, MarginBottom = 1984;
    // 225 mm / 22 lines.
    private const int LinePitch = 579;
    // 28 characters of 3号 (16 pt) in 156 mm (442.2 pt) need a pitch of 15.79 pt: each character is drawn 0.25 pt
    // tighter (w:spacing in twentieths of a point). A character grid would do the same in Word, but LibreOffice
    // spreads the text over it, so only the line grid is used.
    private const int BodyCharacterSpacing = -5;
    private const int Body = 32, Title = 44, Table = 24, PageNumber = 28;
    private const string FangSong = "仿宋_GB2312", HeiTi = "黑体", KaiTi = "楷体_GB2312", XiaoBiaoSong = "方正小标宋简体", SongTi = "宋体";
    private const string Latin = "Times New Roman";

    public static byte[] Write(string bodyHtml, IReadOnlyDictionary<string, string>? customProperties = null)
    {
        var article = XElement.Parse(bodyHtml, LoadOptions.None);
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            AddStyles(main);
            AddFonts(main);
            AddSettings(main);
            var oddFooter = AddFooter(main, JustificationValues.Right);
            var evenFooter = AddFooter(main, JustificationValues.Left);

            var body = new Body();
            foreach (var element in article.Elements())
                Append(body, element, breakBefore: false);
            body.Append(new SectionProperties(
                new FooterReference { Type = HeaderFooterValues.Default, Id = main.GetIdOfPart(oddFooter) },
                new FooterReference { Type = HeaderFooterValues.Even, Id = main.GetIdOfPart(evenFooter) },
                new PageSize { Width = PageWidth, Height = PageHeight },
                new PageMargin
                {
                    Top = MarginTop, Bottom = MarginBottom, Left = (uint)MarginLeft, Right = (uint)MarginRight,
                    Header = 851, Footer = 992, Gutter = 0,
                },
                new DocGrid { Type = DocGridValues.Lines, LinePitch = LinePitch }));
            main.Document = new Document(body);
            main.Document.Save();
            NoticeDocxProperties.Add(document, customProperties);
        }
        return stream.ToArray();
    }

    private static void Append(Body body, XElement element, bool breakBefore)
    {
        var cls = (string?)element.Attribute("class") ?? "";
        switch (element.Name.LocalName)
        {
            case "h1":
                body.Append(Paragraph(element, new RunStyle(XiaoBiaoSong, Title), JustificationValues.Center, indentChars: 0,
                    spacingAfter: LinePitch, pageBreakBefore: breakBefore));
                break;
            case "h2":
                body.Append(Paragraph(element, new RunStyle(HeiTi, Body), JustificationValues.Both, indentChars: 2, pageBreakBefore: breakBefore));
                break;
            case "h3":
                body.Append(Paragraph(element, new RunStyle(KaiTi, Body), JustificationValues.Both, indentChars: 2, pageBreakBefore: breakBefore));
                break;
            case "table":
                body.Append(TableOf(element));
                break;
            case "section":
                var first = true;
                foreach (var child in element.Elements())
                {
                    Append(body, child, breakBefore: first);
                    first = false;
                }
                break;
            case "p":
                body.Append(cls switch
                {
                    "number" => Paragraph(element, new RunStyle(FangSong, Body), JustificationValues.Center, 0, spacingAfter: LinePitch, pageBreakBefore: breakBefore),
                    "addressees" => Paragraph(element, new RunStyle(FangSong, Body), JustificationValues.Both, 0, pageBreakBefore: breakBefore),
                    "signature" or "date" => Paragraph(element, new RunStyle(FangSong, Body), JustificationValues.Right, 0, rightIndentChars: 4,
                        spacingBefore: cls == "signature" ? LinePitch * 2 : 0, pageBreakBefore: breakBefore),
                    "attachment-label" => Paragraph(element, new RunStyle(HeiTi, Body), JustificationValues.Left, 0, pageBreakBefore: breakBefore),
                    "attachments" => Paragraph(element, new RunStyle(FangSong, Body), JustificationValues.Both, 2, spacingBefore: LinePitch, pageBreakBefore: breakBefore),
                    _ => Paragraph(element, new RunStyle(FangSong, Body), JustificationValues.Both, 2, pageBreakBefore: breakBefore),
                });
                break;
        }
    }

    private sealed record RunStyle(string Font, int Size, bool Bold = false);

    private static Paragraph Paragraph(XElement element, RunStyle style, JustificationValues align, int indentChars,
        int rightIndentChars = 0, int spacingBefore = 0, int spacingAfter = 0, bool pageBreakBefore = false)
    {
        var properties = new ParagraphProperties();
        if (pageBreakBefore)
            properties.Append(new PageBreakBefore());
        properties.Append(new SpacingBetweenLines
        {
            Before = spacingBefore.ToString(), After = spacingAfter.ToString(),
            Line = LinePitch.ToString(), LineRule = LineSpacingRuleValues.Exact,
        });
        if (indentChars > 0 || rightIndentChars > 0)
        {
            properties.Append(new Indentation
            {
                FirstLineChars = indentChars > 0 ? indentChars * 100 : null,
                FirstLine = indentChars > 0 ? (indentChars * style.Size * 10).ToString() : null,
                RightChars = rightIndentChars > 0 ? rightIndentChars * 100 : null,
                Right = rightIndentChars > 0 ? (rightIndentChars * style.Size * 10).ToString() : null,
            });
        }
        properties.Append(new Justification { Val = align });
        var paragraph = new Paragraph(properties);
        AppendRuns(paragraph, element, style);
        return paragraph;
    }

    /// <summary>Text, bold spans (b/strong) and line breaks (br) of an element as runs.</summary>
    private static void AppendRuns(OpenXmlCompositeElement paragraph, XElement element, RunStyle style)
    {
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText text when text.Value.Length > 0:
                    paragraph.Append(Run(text.Value, style));
                    break;
                case XElement { Name.LocalName: "br" }:
                    paragraph.Append(new Run(new Break()));
                    break;
                case XElement { Name.LocalName: "b" or "strong" } bold:
                    AppendRuns(paragraph, bold, style with { Bold = true });
                    break;
                case XElement other:
                    AppendRuns(paragraph, other, style);
                    break;
            }
        }
    }

    private static Run Run(string text, RunStyle style)
    {
        // Children in the schema's order (rFonts, b, spacing, sz, szCs): Word rejects them otherwise.
        var properties = new RunProperties(new RunFonts { Ascii = Latin, HighAnsi = Latin, EastAsia = style.Font, ComplexScript = Latin });
        if (style.Bold)
            properties.Append(new Bold());
        if (style.Size == Body)
            properties.Append(new Spacing { Val = BodyCharacterSpacing });
        properties.Append(new FontSize { Val = style.Size.ToString() }, new FontSizeComplexScript { Val = style.Size.ToString() });
        return new Run(properties, new Text(text) { Space = SpaceProcessingModeValues.Preserve });
    }

    private static Table TableOf(XElement element)
    {
        var border = new Func<BorderType, BorderType>(b => { b.Val = BorderValues.Single; b.Size = 4; b.Color = "000000"; return b; });
        var table = new Table(new TableProperties(
            new TableWidth { Type = TableWidthUnitValues.Pct, Width = "5000" },
            new TableJustification { Val = TableRowAlignmentValues.Center },
            new TableBorders(
                border(new TopBorder()), border(new BottomBorder()), border(new LeftBorder()), border(new RightBorder()),
                border(new InsideHorizontalBorder()), border(new InsideVerticalBorder())),
            new TableLayout { Type = TableLayoutValues.Autofit }));
        foreach (var tr in element.Descendants().Where(e => e.Name.LocalName == "tr"))
        {
            var row = new TableRow();
            var header = tr.Elements().Any(c => c.Name.LocalName == "th");
            if (header)
                row.Append(new TableRowProperties(new TableHeader()));
            foreach (var cell in tr.Elements().Where(c => c.Name.LocalName is "td" or "th"))
            {
                var paragraph = new Paragraph(new ParagraphProperties(
                    new SnapToGrid { Val = false },
                    new SpacingBetweenLines { Before = "0", After = "0", Line = "300", LineRule = LineSpacingRuleValues.Auto },
                    new Justification { Val = JustificationValues.Center }));
                AppendRuns(paragraph, cell, new RunStyle(header ? HeiTi : FangSong, Table));
                row.Append(new TableCell(new TableCellProperties(new TableCellVerticalAlignment { Val = TableVerticalAlignmentValues.Center }), paragraph));
            }
            table.Append(row);
        }
        return table;
    }

    private static FooterPart AddFooter(MainDocumentPart main, JustificationValues side)
    {
        // Fixed relationship ids: the same notice body always gives the same document.xml, byte for byte.
        var part = main.AddNewPart<FooterPart>(side == JustificationValues.Right ? "rIdFooterOdd" : "rIdFooterEven");
        var style = new RunStyle(SongTi, PageNumber);
        // One character (4号) in from the outer edge, as the standard asks.
        var indent = side == JustificationValues.Right ? new Indentation { Right = "280" } : new Indentation { Left = "280" };
        part.Footer = new Footer(new Paragraph(
            new ParagraphProperties(new Justification { Val = side }, indent),
            Run("— ", style),
            new Run(Run("", style).RunProperties!.CloneNode(true), new FieldChar { FieldCharType = FieldCharValues.Begin }),
            new Run(Run("", style).RunProperties!.CloneNode(true), new FieldCode(" PAGE ") { Space = SpaceProcessingModeValues.Preserve }),
            new Run(Run("", style).RunProperties!.CloneNode(true), new FieldChar { FieldCharType = FieldCharValues.Separate }),
            Run("1", style),
            new Run(Run("", style).RunProperties!.CloneNode(true), new FieldChar { FieldCharType = FieldCharValues.End }),
            Run(" —", style)));
        part.Footer.Save();
        return part;
    }

    private static void AddStyles(MainDocumentPart main)
    {
        var part = main.AddNewPart<StyleDefinitionsPart>();
        part.Styles = new Styles(
            new DocDefaults(
                new RunPropertiesDefault(new RunPropertiesBaseStyle(
                    new RunFonts { Ascii = Latin, HighAnsi = Latin, EastAsia = FangSong, ComplexScript = Latin },
                    new FontSize { Val = Body.ToString() },
                    new FontSizeComplexScript { Val = Body.ToString() },
                    new Languages { Val = "en-US", EastAsia = "zh-CN" })),
                new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(
                    new SpacingBetweenLines { Before = "0", After = "0" }))),
            new Style(new StyleName { Val = "Normal" }, new PrimaryStyle()) { Type = StyleValues.Paragraph, StyleId = "Normal", Default = true });
        part.Styles.Save();
    }

    /// <summary>The official fonts, each with the common substitute a machine without it should use.</summary>
    private static void AddFonts(MainDocumentPart main)
    {
        var part = main.AddNewPart<FontTablePart>();
        part.Fonts = new Fonts(
            Font(FangSong, "仿宋", FontFamilyValues.Modern),
            Font(HeiTi, "SimHei", FontFamilyValues.Modern),
            Font(KaiTi, "楷体", FontFamilyValues.Modern),
            Font(XiaoBiaoSong, "宋体", FontFamilyValues.Script),
            Font(SongTi, "SimSun", FontFamilyValues.Auto),
            Font(Latin, "Times", FontFamilyValues.Roman));
        part.Fonts.Save();

        static Font Font(string name, string alternative, FontFamilyValues family) => new(
            new AltName { Val = alternative },
            new FontCharSet { Val = name == Latin ? "00" : "86" },
            new FontFamily { Val = family },
            new Pitch { Val = FontPitchValues.Variable }) { Name = name };
    }

    private static void AddSettings(MainDocumentPart main)
    {
        var part = main.AddNewPart<DocumentSettingsPart>();
        part.Settings = new Settings(new EvenAndOddHeaders(), new DefaultTabStop { Val = 420 });
        part.Settings.Save();
    }
}
