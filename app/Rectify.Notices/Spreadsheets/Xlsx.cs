using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Rectify.Notices.Spreadsheets;

/// <summary>One cell as read: its text, and whether the sheet stored it as a number (dates are numbers in Excel).</summary>
public readonly record struct XlsxCell(string Text, bool IsNumber);

/// <summary>A sheet to write: a header row, then values (string, number, DateOnly or null).</summary>
public sealed record XlsxSheet(string Name, IReadOnlyList<string> Headers, IEnumerable<IReadOnlyList<object?>> Rows, IReadOnlyList<double>? Widths = null);

/// <summary>
/// Minimal streaming .xlsx reading and writing with DocumentFormat.OpenXml (SAX style, so 10,000 rows stay cheap).
/// Written strings are inline; dates are written as yyyy-MM-dd text so they read back the same everywhere.
/// </summary>
public static class Xlsx
{
    public static byte[] Write(params XlsxSheet[] sheets)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            var styles = workbook.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new Stylesheet(
                new Fonts(new Font(new FontSize { Val = 11 }, new FontName { Val = "宋体" }),
                    new Font(new Bold(), new FontSize { Val = 11 }, new FontName { Val = "宋体" })) { Count = 2 },
                new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }),
                    new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
                new Borders(new Border()) { Count = 1 },
                new CellFormats(new CellFormat(),
                    new CellFormat { FontId = 1, ApplyFont = true },
                    new CellFormat(new Alignment { WrapText = true, Vertical = VerticalAlignmentValues.Top }) { ApplyAlignment = true }) { Count = 3 });
            styles.Stylesheet.Save();

            var sheetList = new Sheets();
            uint sheetId = 1;
            foreach (var sheet in sheets)
            {
                var part = workbook.AddNewPart<WorksheetPart>();
                using (var writer = OpenXmlWriter.Create(part))
                {
                    writer.WriteStartElement(new Worksheet());
                    if (sheet.Widths is { Count: > 0 } widths)
                    {
                        writer.WriteStartElement(new Columns());
                        for (var i = 0; i < widths.Count; i++)
                            writer.WriteElement(new Column { Min = (uint)i + 1, Max = (uint)i + 1, Width = widths[i], CustomWidth = true });
                        writer.WriteEndElement();
                    }
                    writer.WriteStartElement(new SheetData());
                    WriteRow(writer, 1, sheet.Headers, style: 1);
                    var rowIndex = 2;
                    foreach (var row in sheet.Rows)
                        WriteRow(writer, rowIndex++, row, style: 0);
                    writer.WriteEndElement();
                    writer.WriteEndElement();
                }
                sheetList.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = sheetId++, Name = sheet.Name });
            }
            workbook.Workbook = new Workbook(sheetList);
            workbook.Workbook.Save();
        }
        return stream.ToArray();
    }

    private static void WriteRow(OpenXmlWriter writer, int rowIndex, IEnumerable<object?> values, uint style)
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
                    writer.WriteElement(new Cell
                    {
                        CellReference = reference, DataType = CellValues.Number, StyleIndex = style,
                        CellValue = new CellValue(Convert.ToDouble(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)),
                    });
                    break;
                default:
                    var text = value switch
                    {
                        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        DateTimeOffset t => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
                    };
                    writer.WriteElement(new Cell(new InlineString(new Text(text) { Space = SpaceProcessingModeValues.Preserve }))
                    {
                        CellReference = reference, DataType = CellValues.InlineString, StyleIndex = style,
                    });
                    break;
            }
        }
        writer.WriteEndElement();
    }

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
