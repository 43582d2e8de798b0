using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Rectify.Notices.Spreadsheets;

/// <summary>One cell as read: its text, and whether the sheet stored it as a number (dates are numbers in Excel).</summary>
public readonly record struct XlsxCell(string Text, bool IsNumber);

/// <summary>
/// A sheet to write: a header row, then values (string, number, DateOnly, a local DateTime or null). Without
/// <paramref name="Widths"/> the columns are fitted to their text.
/// </summary>
public sealed record XlsxSheet(string Name, IReadOnlyList<string> Headers, IEnumerable<IReadOnlyList<object?>> Rows, IReadOnlyList<double>? Widths = null);

/// <summary>
/// Minimal streaming .xlsx reading and writing with DocumentFormat.OpenXml (SAX style, so 10,000 rows stay cheap).
/// Written sheets have their header row frozen and filtered; strings are inline, dates are real dates with Chinese
/// formats (2026年3月2日, 2026年3月2日 09:30), and a text that a spreadsheet would take for a formula (= + - @ first)
/// is marked as text (quotePrefix, as Excel marks a text typed with a leading apostrophe), so it never runs.
/// </summary>
public static class Xlsx
{
    private const uint Plain = 0, Header = 1, Wrapped = 2, Date = 3, DateTime = 4, AsText = 5;
    // Excel's column width unit is one digit of the default font; a Chinese character takes two.
    private const double MaxFittedWidth = 50;
    private static readonly System.DateTime Epoch = new(1899, 12, 30);

    public static byte[] Write(params XlsxSheet[] sheets)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            var styles = workbook.AddNewPart<WorkbookStylesPart>();
            var top = new Func<Alignment>(() => new Alignment { WrapText = true, Vertical = VerticalAlignmentValues.Top });
            styles.Stylesheet = new Stylesheet(
                new NumberingFormats(
                    new NumberingFormat { NumberFormatId = 164, FormatCode = "yyyy\"年\"m\"月\"d\"日\"" },
                    new NumberingFormat { NumberFormatId = 165, FormatCode = "yyyy\"年\"m\"月\"d\"日\" hh:mm" }) { Count = 2 },
                new Fonts(new Font(new FontSize { Val = 11 }, new FontName { Val = "宋体" }),
                    new Font(new Bold(), new FontSize { Val = 11 }, new FontName { Val = "宋体" })) { Count = 2 },
                new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }),
                    new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
                new Borders(new Border()) { Count = 1 },
                new CellFormats(
                    new CellFormat(new Alignment { Vertical = VerticalAlignmentValues.Top }) { ApplyAlignment = true },
                    new CellFormat(new Alignment { WrapText = true, Horizontal = HorizontalAlignmentValues.Center, Vertical = VerticalAlignmentValues.Center })
                        { FontId = 1, ApplyFont = true, ApplyAlignment = true },
                    new CellFormat(top()) { ApplyAlignment = true },
                    new CellFormat(top()) { NumberFormatId = 164, ApplyNumberFormat = true, ApplyAlignment = true },
                    new CellFormat(top()) { NumberFormatId = 165, ApplyNumberFormat = true, ApplyAlignment = true },
                    new CellFormat(top()) { ApplyAlignment = true, QuotePrefix = true }) { Count = 6 });
            styles.Stylesheet.Save();

            var sheetList = new Sheets();
            var filters = new DefinedNames();
            uint sheetId = 1;
            foreach (var sheet in sheets)
            {
                var rows = sheet.Rows.ToList();
                var widths = sheet.Widths ?? FittedWidths(sheet.Headers, rows);
                var part = workbook.AddNewPart<WorksheetPart>();
                using (var writer = OpenXmlWriter.Create(part))
                {
                    writer.WriteStartElement(new Worksheet());
                    // The header row stays in view while scrolling.
                    writer.WriteElement(new SheetViews(new SheetView(
                            new Pane { VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen },
                            new Selection { Pane = PaneValues.BottomLeft, ActiveCell = "A2", SequenceOfReferences = new ListValue<StringValue> { InnerText = "A2" } })
                        { TabSelected = sheetId == 1, WorkbookViewId = 0 }));
                    writer.WriteStartElement(new Columns());
                    for (var i = 0; i < widths.Count; i++)
                        writer.WriteElement(new Column { Min = (uint)i + 1, Max = (uint)i + 1, Width = widths[i], CustomWidth = true });
                    writer.WriteEndElement();
                    writer.WriteStartElement(new SheetData());
                    WriteRow(writer, 1, sheet.Headers.Cast<object?>(), Header);
                    var rowIndex = 2;
                    foreach (var row in rows)
                        WriteRow(writer, rowIndex++, row, null);
                    writer.WriteEndElement();
                    var range = $"A1:{ColumnName(Math.Max(sheet.Headers.Count, 1) - 1)}{rowIndex - 1}";
                    writer.WriteElement(new AutoFilter { Reference = range });
                    writer.WriteEndElement();
                    filters.Append(new DefinedName($"'{sheet.Name.Replace("'", "''")}'!{Absolute(range)}")
                        { Name = "_xlnm._FilterDatabase", LocalSheetId = sheetId - 1, Hidden = true });
                }
                sheetList.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = sheetId++, Name = sheet.Name });
            }
            workbook.Workbook = new Workbook(sheetList, filters);
            workbook.Workbook.Save();
        }
        return stream.ToArray();
    }

    /// <summary>A text that Excel, LibreOffice or a CSV round trip would read as a formula.</summary>
    public static bool LooksLikeFormula(string text) => text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>Each column as wide as its widest cell (a Chinese character counts two), within bounds; longer text wraps.</summary>
    private static List<double> FittedWidths(IReadOnlyList<string> headers, List<IReadOnlyList<object?>> rows)
    {
        var widths = headers.Select(h => Math.Min(Units(h), 24.0)).ToList();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Count && i < widths.Count; i++)
            {
                var units = row[i] switch
                {
                    null => 0,
                    DateOnly => 14,
                    System.DateTime => 20,
                    string text => Units(text),
                    var other => Units(Convert.ToString(other, CultureInfo.InvariantCulture) ?? ""),
                };
                widths[i] = Math.Max(widths[i], units);
            }
        }
        return widths.Select(w => Math.Min(Math.Ceiling(w) + 2, MaxFittedWidth)).ToList();

        static double Units(string text) => text.Sum(c => c < '\u2E80' ? 1.1 : 2.1);
    }

    private static string Absolute(string range) =>
        string.Join(':', range.Split(':').Select(r => "$" + string.Concat(r.TakeWhile(char.IsLetter)) + "$" + string.Concat(r.SkipWhile(char.IsLetter))));

    private static void WriteRow(OpenXmlWriter writer, int rowIndex, IEnumerable<object?> values, uint? style)
    {
        writer.WriteStartElement(new Row { RowIndex = (uint)rowIndex });
        var column = 0;
        foreach (var value in values)
        {
            var reference = ColumnName(column++) + rowIndex;
            switch (value)
            {
                case null:
                    break;
                case int or long or double or decimal:
                    writer.WriteElement(Number(reference, Convert.ToDouble(value, CultureInfo.InvariantCulture), style ?? Plain));
                    break;
                case DateOnly d:
                    writer.WriteElement(Number(reference, d.DayNumber - DateOnly.FromDateTime(Epoch).DayNumber, style ?? Date));
                    break;
                case System.DateTime t:
                    writer.WriteElement(Number(reference, (t - Epoch).TotalDays, style ?? DateTime));
                    break;
                default:
                    var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
                    writer.WriteElement(new Cell(new InlineString(new Text(text) { Space = SpaceProcessingModeValues.Preserve }))
                    {
                        CellReference = reference, DataType = CellValues.InlineString,
                        StyleIndex = style ?? (LooksLikeFormula(text) ? AsText : Wrapped),
                    });
                    break;
            }
        }
        writer.WriteEndElement();
    }

    private static Cell Number(string reference, double value, uint style) => new()
    {
        CellReference = reference, StyleIndex = style,
        CellValue = new CellValue(value.ToString("R", CultureInfo.InvariantCulture)),
    };

    /// <summary>
    /// The rows of the first sheet, each with its 1-based row number and its cells by 0-based column.
    /// Empty rows are skipped. A row number past <paramref name="maxRows"/> or a column past <paramref name="maxColumns"/>
    /// stops the reading with <see cref="ImportTooLargeException"/>.
    /// </summary>
    public static IEnumerable<(int Row, Dictionary<int, XlsxCell> Cells)> ReadFirstSheet(Stream stream,
        int maxRows = ImportLimits.MaxRows + 1, int maxColumns = ImportLimits.MaxColumns)
    {
        using var document = SpreadsheetDocument.Open(stream, isEditable: false);
        var workbook = document.WorkbookPart ?? throw new InvalidDataException("No workbook.");
        var shared = workbook.SharedStringTablePart?.SharedStringTable?.Elements<SharedStringItem>().Select(i => i.InnerText).ToArray() ?? [];
        var firstSheet = workbook.Workbook?.Sheets?.Elements<Sheet>().FirstOrDefault() ?? throw new InvalidDataException("No sheet.");
        var part = (WorksheetPart)workbook.GetPartById(firstSheet.Id!.Value!);
        using var reader = OpenXmlReader.Create(part);
        var implicitRow = 0;
        while (reader.Read())
        {
            if (reader.ElementType != typeof(Row) || !reader.IsStartElement)
                continue;
            var row = (Row)reader.LoadCurrentElement()!;
            var rowNumber = row.RowIndex is { } index ? (int)index.Value : implicitRow + 1;
            implicitRow = rowNumber;
            if (rowNumber > maxRows)
                throw new ImportTooLargeException($"工作表超过 {maxRows - 1} 行，请拆分后分批导入。");
            var cells = new Dictionary<int, XlsxCell>();
            var implicitColumn = -1;
            foreach (var cell in row.Elements<Cell>())
            {
                var column = cell.CellReference?.Value is { } r ? ColumnIndex(r) : implicitColumn + 1;
                implicitColumn = column;
                if (column >= maxColumns)
                    throw new ImportTooLargeException($"工作表超过 {maxColumns} 列（第{rowNumber}行{ColumnName(column)}列），请只保留导入模板的列。");
                var value = Value(cell, shared);
                if (value.Text.Length > 0)
                    cells[column] = value;
            }
            if (cells.Count > 0)
                yield return (rowNumber, cells);
        }
    }

    private static XlsxCell Value(Cell cell, string[] shared)
    {
        var raw = cell.CellValue?.Text ?? "";
        var type = cell.DataType?.Value;
        if (type == CellValues.SharedString)
            return new XlsxCell(int.TryParse(raw, out var i) && i >= 0 && i < shared.Length ? shared[i].Trim() : "", false);
        if (type == CellValues.InlineString)
            return new XlsxCell((cell.InlineString?.InnerText ?? "").Trim(), false);
        if (type == CellValues.String || type == CellValues.Boolean || type == CellValues.Error)
            return new XlsxCell(raw.Trim(), false);
        return new XlsxCell(raw.Trim(), raw.Length > 0);
    }

    public static string ColumnName(int index)
    {
        var name = "";
        for (index++; index > 0; index = (index - 1) / 26)
            name = (char)('A' + (index - 1) % 26) + name;
        return name;
    }

    private static int ColumnIndex(string reference)
    {
        var index = 0;
        foreach (var c in reference.TakeWhile(char.IsLetter))
            index = index * 26 + (char.ToUpperInvariant(c) - 'A' + 1);
        return index - 1;
    }
}
