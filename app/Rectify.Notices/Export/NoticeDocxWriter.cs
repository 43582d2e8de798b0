using System.Globalization;
using System.Xml.Linq;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Rectify.Notices;

/// <summary>
/// The 版头 of a 下行文: the 发文机关标志 in red above the 发文字号 and a red separator line as wide as the type area.
/// </summary>
public sealed record Letterhead(string Mark, string Color = "FF0000");

/// <summary>
/// Lays the rendered notice body (the XHTML fragment of notice.liquid) out as an official document in the
/// GB/T 9704-2012 format: A4, top margin 37 mm, binding (left) margin 28 mm, type area 156 × 225 mm,
/// 22 lines of 28 characters (line grid of 579 twips, body characters 0.25 pt tighter); the 版头 when given (7.2);
/// title 2号 小标宋 in balanced lines, body 3号 仿宋_GB2312, first-level headings 黑体, second-level 楷体; 附件说明,
/// 署名, 成文日期 and 附注 placed as 7.3.4–7.3.6 say; attachments on a page of their own; tables of fixed layout whose
/// columns fit what must not break; page numbers "— 1 —" in 4号 宋体 7 mm below the type area, on the outer side
/// (odd pages right, even pages left).
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
    // One body character with its tighter spacing, in twips.
    private const int BodyChar = Body * 10 + BodyCharacterSpacing * 4;
    private const int TypeWidth = PageWidth - MarginLeft - MarginRight;
    private const double TwipsPerMm = 1440 / 25.4;
    // The 发文机关标志's top edge 35 mm below the type area's (7.2.3); its size fits the type area, 60 pt at most.
    private const double MarkTopMm = 35;
    private const int MarkMaxSize = 120;
    // Word and LibreOffice put the footer's last line this far above the page's bottom edge; with the footer's exact
    // line height, the 一字线 of the page number sits 7 mm below the type area (7.5). Measured in the PDF by the tests.
    private const int FooterDistance = 1433;
    private const int FooterLine = 320;
    // The title's lines are at most this wide: 156 mm holds 20.1 characters of 2号, less a margin for the renderer.
    private const double TitleMaxEms = 19;
    private const string FangSong = "仿宋_GB2312", HeiTi = "黑体", KaiTi = "楷体_GB2312", XiaoBiaoSong = "方正小标宋简体", SongTi = "宋体";
    private const string Latin = "Times New Roman";

    public static byte[] Write(string bodyHtml, Letterhead? letterhead = null, IReadOnlyDictionary<string, string>? customProperties = null)
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
            var writer = new Writer(body, letterhead);
            foreach (var element in article.Elements())
                writer.Append(element, breakBefore: false);
            body.Append(new SectionProperties(
                new FooterReference { Type = HeaderFooterValues.Default, Id = main.GetIdOfPart(oddFooter) },
                new FooterReference { Type = HeaderFooterValues.Even, Id = main.GetIdOfPart(evenFooter) },
                new PageSize { Width = PageWidth, Height = PageHeight },
                new PageMargin
                {
                    Top = MarginTop, Bottom = MarginBottom, Left = (uint)MarginLeft, Right = (uint)MarginRight,
                    Header = 851, Footer = FooterDistance, Gutter = 0,
                },
                new DocGrid { Type = DocGridValues.Lines, LinePitch = LinePitch }));
            main.Document = new Document(body);
            main.Document.Save();
            NoticeDocxProperties.Add(document, customProperties);
        }
        return stream.ToArray();
    }

    /// <summary>Appends the body's elements in order; the 署名 decides where the 成文日期 under it goes.</summary>
    private sealed class Writer(Body body, Letterhead? letterhead)
    {
        private bool _titleDone;
        private int _dateRightIndent;

        public void Append(XElement element, bool breakBefore, bool inAttachment = false)
        {
            var cls = ((string?)element.Attribute("class") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var body3 = new RunStyle(FangSong, Body);
            switch (element.Name.LocalName)
            {
                case "h1":
                    // The title two lines under the red line (7.3.1), else under the number; an attachment's title on
                    // the third line of its page (7.5); the 主送机关 or the table one line under it.
                    var before = inAttachment ? LinePitch : !_titleDone && letterhead is not null ? 2 * LinePitch : 0;
                    _titleDone = true;
                    var lines = TitleLines.Split(element.Value.Trim(), TitleMaxEms);
                    var title = Paragraph(new RunStyle(XiaoBiaoSong, Title), JustificationValues.Center, spacingBefore: before,
                        spacingAfter: LinePitch, pageBreakBefore: breakBefore, keepNext: true);
                    for (var i = 0; i < lines.Count; i++)
                    {
                        if (i > 0)
                            title.Append(new Run(new Break()));
                        title.Append(Run(lines[i], new RunStyle(XiaoBiaoSong, Title)));
                    }
                    body.Append(title);
                    break;
                case "h2":
                    body.Append(WithRuns(Paragraph(new RunStyle(HeiTi, Body), JustificationValues.Both, firstLine: 2 * BodyChar, pageBreakBefore: breakBefore, keepNext: true), element, new RunStyle(HeiTi, Body)));
                    break;
                case "h3":
                    body.Append(WithRuns(Paragraph(new RunStyle(KaiTi, Body), JustificationValues.Both, firstLine: 2 * BodyChar, pageBreakBefore: breakBefore, keepNext: true), element, new RunStyle(KaiTi, Body)));
                    break;
                case "table":
                    body.Append(TableOf(element));
                    break;
                case "section":
                    var first = true;
                    foreach (var child in element.Elements())
                    {
                        Append(child, breakBefore: first, inAttachment: true);
                        first = false;
                    }
                    break;
                case "p" when cls.Contains("number"):
                    if (letterhead is not null)
                    {
                        body.Append(Mark(letterhead));
                        // 发文字号 two lines under the 标志 (7.2.4), the red line 4 mm under it (7.2.6).
                        body.Append(WithRuns(Paragraph(body3, JustificationValues.Center, spacingBefore: 2 * LinePitch,
                            redLine: letterhead.Color), element, body3));
                    }
                    else
                        body.Append(WithRuns(Paragraph(body3, JustificationValues.Center, spacingAfter: LinePitch, pageBreakBefore: breakBefore), element, body3));
                    break;
                case "p" when cls.Contains("addressees") || cls.Contains("attachment-label"):
                    var style = cls.Contains("addressees") ? body3 : new RunStyle(HeiTi, Body);
                    body.Append(WithRuns(Paragraph(style, JustificationValues.Left, pageBreakBefore: breakBefore), element, style));
                    break;
                case "p" when cls.Contains("signature"):
                    var date = element.ElementsAfterSelf().FirstOrDefault(e => (string?)e.Attribute("class") == "date");
                    var (signatureRight, dateRight) = SignatureIndents(TextWidth.Ems(element.Value.Trim()), TextWidth.Ems(date?.Value.Trim() ?? ""));
                    _dateRightIndent = dateRight;
                    // 正文（或附件说明）下空一行 (7.3.5.2).
                    body.Append(WithRuns(Paragraph(body3, JustificationValues.Right, right: signatureRight, spacingBefore: LinePitch), element, body3));
                    break;
                case "p" when cls.Contains("date"):
                    body.Append(WithRuns(Paragraph(body3, JustificationValues.Right, right: _dateRightIndent), element, body3));
                    break;
                case "p" when cls.Contains("attachment-note"):
                    // 附件说明 (7.3.4): one line under the body, two characters in; "附件：" then the names, numbered
                    // when several, each name's continuation lines aligned with its first character.
                    var more = cls.Contains("more");
                    var text = element.Value;
                    var number = more ? text[..(text.IndexOf('．') + 1)] : text.StartsWith("附件：", StringComparison.Ordinal) && text.IndexOf('．') is var dot and > 0 and < 8 ? text[3..(dot + 1)] : "";
                    var hanging = (int)Math.Round(((more ? 0 : 3) + TextWidth.Ems(number)) * BodyChar);
                    var left = (int)Math.Round((5 + TextWidth.Ems(number)) * BodyChar);
                    body.Append(WithRuns(Paragraph(body3, JustificationValues.Both, left: left, hanging: hanging, spacingBefore: more ? 0 : LinePitch), element, body3));
                    break;
                case "p":
                    body.Append(WithRuns(Paragraph(body3, JustificationValues.Both, firstLine: 2 * BodyChar, pageBreakBefore: breakBefore), element, body3));
                    break;
            }
        }

        /// <summary>
        /// The 发文机关标志 (7.2.3): centred, red, its top edge 35 mm below the type area's, as large as fits up to 60 pt.
        /// </summary>
        private static Paragraph Mark(Letterhead letterhead)
        {
            var size = Math.Min(MarkMaxSize, (int)(TypeWidth * 0.9 / (TextWidth.Ems(letterhead.Mark) * 10)));
            var line = size * 12;
            // An exact line one fifth taller than the font has the extra above the glyphs, whose tops are about 1/15 em
            // under their em box (measured in the PDF by the tests).
            var before = (int)Math.Round(MarkTopMm * TwipsPerMm - (line - size * 10) - size * 10 / 15.0);
            var paragraph = Paragraph(new RunStyle(XiaoBiaoSong, size), JustificationValues.Center, spacingBefore: before, line: line);
            paragraph.Append(Run(letterhead.Mark, new RunStyle(XiaoBiaoSong, size, Color: letterhead.Color)));
            return paragraph;
        }
    }

    /// <summary>
    /// Right indents (twips) of the 署名 and the 成文日期 (7.3.5.2): the 署名 two characters in from the right, the
    /// date under it starting two characters further right; a date longer than that stays two characters in and
    /// pushes the 署名 left.
    /// </summary>
    private static (int Signature, int Date) SignatureIndents(double signatureEms, double dateEms)
    {
        var signature = 2.0;
        var date = signatureEms - dateEms;
        if (date < 2)
        {
            date = 2;
            signature = 4 + dateEms - signatureEms;
        }
        return ((int)Math.Round(signature * BodyChar), (int)Math.Round(date * BodyChar));
    }

    private sealed record RunStyle(string Font, int Size, bool Bold = false, string? Color = null);

    private static Paragraph Paragraph(RunStyle style, JustificationValues align, int firstLine = 0, int left = 0,
        int hanging = 0, int right = 0, int spacingBefore = 0, int spacingAfter = 0, bool pageBreakBefore = false,
        int line = LinePitch, string? redLine = null, bool keepNext = false)
    {
        var properties = new ParagraphProperties();
        if (keepNext)
            properties.Append(new KeepNext());
        if (pageBreakBefore)
            properties.Append(new PageBreakBefore());
        if (redLine is not null)
            properties.Append(new ParagraphBorders(new BottomBorder { Val = BorderValues.Single, Size = 8, Space = RedLineSpace, Color = redLine }));
        properties.Append(new SpacingBetweenLines
        {
            Before = spacingBefore.ToString(CultureInfo.InvariantCulture), After = spacingAfter.ToString(CultureInfo.InvariantCulture),
            Line = line.ToString(CultureInfo.InvariantCulture), LineRule = LineSpacingRuleValues.Exact,
        });
        if (firstLine > 0 || left > 0 || hanging > 0 || right > 0)
        {
            var indentation = new Indentation();
            if (left > 0)
                indentation.Left = left.ToString(CultureInfo.InvariantCulture);
            if (right > 0)
                indentation.Right = right.ToString(CultureInfo.InvariantCulture);
            if (hanging > 0)
                indentation.Hanging = hanging.ToString(CultureInfo.InvariantCulture);
            if (firstLine > 0)
                indentation.FirstLine = firstLine.ToString(CultureInfo.InvariantCulture);
            properties.Append(indentation);
        }
        properties.Append(new Justification { Val = align });
        return new Paragraph(properties);
    }

    private static Paragraph WithRuns(Paragraph paragraph, XElement element, RunStyle style)
    {
        AppendRuns(paragraph, element, style);
        return paragraph;
    }

    // The red line's distance under the number's line (points): 4 mm under the number's characters (7.2.6).
    private const uint RedLineSpace = 3;

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
        // Children in the schema's order (rFonts, b, color, spacing, sz, szCs): Word rejects them otherwise.
        var properties = new RunProperties(new RunFonts { Ascii = Latin, HighAnsi = Latin, EastAsia = style.Font, ComplexScript = Latin });
        if (style.Bold)
            properties.Append(new Bold());
        if (style.Color is not null)
            properties.Append(new Color { Val = style.Color });
        if (style.Size == Body)
            properties.Append(new Spacing { Val = BodyCharacterSpacing });
        properties.Append(new FontSize { Val = style.Size.ToString(CultureInfo.InvariantCulture) }, new FontSizeComplexScript { Val = style.Size.ToString(CultureInfo.InvariantCulture) });
        return new Run(properties, new Text(text) { Space = SpaceProcessingModeValues.Preserve });
    }

    // Cell padding left and right (twips): 1 mm, so narrow columns keep room for their text.
    private const int CellPadding = 57;

    /// <summary>
    /// A table of fixed layout whose columns are fitted to their text: every column is at least as wide as its longest
    /// phone number, e-mail address or URL, and the rest of the type area's width goes where text is longest. The font
    /// is 小四, or 五号 or 小五 when the unbreakable text would not fit otherwise.
    /// </summary>
    private static Table TableOf(XElement element)
    {
        var rows = element.Descendants().Where(e => e.Name.LocalName == "tr")
            .Select(tr => tr.Elements().Where(c => c.Name.LocalName is "td" or "th").ToList()).ToList();
        var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        var least = new double[columns];
        var wanted = new double[columns];
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Count; c++)
            {
                var text = row[c].Value.Trim();
                // Chinese text may break between any two characters; what must stay whole sets the least width.
                least[c] = Math.Max(least[c], Math.Max(Math.Min(TextWidth.Ems(text), 1), TextWidth.LongestUnbreakableEms(text)));
                wanted[c] = Math.Max(wanted[c], TextWidth.Ems(text));
            }
        }
        // A tenth more than estimated: renderers differ in their fallback fonts and cell spacing.
        for (var c = 0; c < columns; c++)
        {
            least[c] *= 1.1;
            wanted[c] = Math.Max(wanted[c], least[c]);
        }
        var size = new[] { Table, 21, 18 }.FirstOrDefault(s => least.Sum() * s * 10 + columns * 2 * CellPadding <= TypeWidth, 18);
        var widths = ColumnWidths(least.Select(e => e * size * 10 + 2 * CellPadding).ToArray(),
            wanted.Select(e => e * size * 10 + 2 * CellPadding).ToArray());

        var border = new Func<BorderType, BorderType>(b => { b.Val = BorderValues.Single; b.Size = 4; b.Color = "000000"; return b; });
        var table = new Table(new TableProperties(
                new TableWidth { Type = TableWidthUnitValues.Dxa, Width = TypeWidth.ToString(CultureInfo.InvariantCulture) },
                new TableJustification { Val = TableRowAlignmentValues.Center },
                new TableBorders(
                    border(new TopBorder()), border(new LeftBorder()), border(new BottomBorder()), border(new RightBorder()),
                    border(new InsideHorizontalBorder()), border(new InsideVerticalBorder())),
                new TableLayout { Type = TableLayoutValues.Fixed },
                new TableCellMarginDefault(
                    new TableCellLeftMargin { Width = CellPadding, Type = TableWidthValues.Dxa },
                    new TableCellRightMargin { Width = CellPadding, Type = TableWidthValues.Dxa })),
            new TableGrid(widths.Select(w => new GridColumn { Width = w.ToString(CultureInfo.InvariantCulture) })));
        foreach (var cells in rows)
        {
            var row = new TableRow();
            var header = cells.Any(c => c.Name.LocalName == "th");
            if (header)
                row.Append(new TableRowProperties(new TableHeader()));
            for (var c = 0; c < cells.Count; c++)
            {
                var paragraph = new Paragraph(new ParagraphProperties(
                    new SnapToGrid { Val = false },
                    new SpacingBetweenLines { Before = "0", After = "0", Line = "300", LineRule = LineSpacingRuleValues.Auto },
                    new Justification { Val = JustificationValues.Center }));
                AppendRuns(paragraph, cells[c], new RunStyle(header ? HeiTi : FangSong, size));
                row.Append(new TableCell(new TableCellProperties(
                    new TableCellWidth { Type = TableWidthUnitValues.Dxa, Width = widths[c].ToString(CultureInfo.InvariantCulture) },
                    new TableCellVerticalAlignment { Val = TableVerticalAlignmentValues.Center }), paragraph));
            }
            table.Append(row);
        }
        return table;
    }

    /// <summary>
    /// Column widths (twips) summing to the type area's width: each gets its least width, and the space left goes to
    /// the columns in proportion to how much more they want; when even the least widths do not fit they are scaled down.
    /// </summary>
    private static int[] ColumnWidths(double[] least, double[] wanted)
    {
        double[] widths;
        if (wanted.Sum() <= TypeWidth)
            widths = wanted.Select(w => w * TypeWidth / wanted.Sum()).ToArray();
        else if (least.Sum() <= TypeWidth)
        {
            var extra = wanted.Zip(least, (w, l) => w - l).ToArray();
            widths = least.Select((l, i) => l + (TypeWidth - least.Sum()) * extra[i] / extra.Sum()).ToArray();
        }
        else
            widths = least.Select(l => l * TypeWidth / least.Sum()).ToArray();
        var rounded = widths.Select(w => (int)Math.Floor(w)).ToArray();
        if (rounded.Length > 0)
            rounded[^1] += TypeWidth - rounded.Sum();
        return rounded;
    }

    private static FooterPart AddFooter(MainDocumentPart main, JustificationValues side)
    {
        // Fixed relationship ids: the same notice body always gives the same document.xml, byte for byte.
        var part = main.AddNewPart<FooterPart>(side == JustificationValues.Right ? "rIdFooterOdd" : "rIdFooterEven");
        var style = new RunStyle(SongTi, PageNumber);
        // One character (4号) in from the outer edge, as the standard asks.
        var indent = side == JustificationValues.Right ? new Indentation { Right = "280" } : new Indentation { Left = "280" };
        part.Footer = new Footer(new Paragraph(
            new ParagraphProperties(
                new SpacingBetweenLines { Before = "0", After = "0", Line = FooterLine.ToString(CultureInfo.InvariantCulture), LineRule = LineSpacingRuleValues.Exact },
                indent, new Justification { Val = side }),
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
                    new FontSize { Val = Body.ToString(CultureInfo.InvariantCulture) },
                    new FontSizeComplexScript { Val = Body.ToString(CultureInfo.InvariantCulture) },
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
        part.Settings = new Settings(new DefaultTabStop { Val = 420 }, new EvenAndOddHeaders());
        part.Settings.Save();
    }
}
