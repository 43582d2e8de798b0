using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Time;
using Rectify.Units;

namespace Rectify.Notices.Spreadsheets;

/// <summary>The inspection the imported findings become.</summary>
public sealed record ImportRequest(string Title, InspectionKind Kind, DateOnly PeriodStart, DateOnly PeriodEnd, string Office = "");

/// <summary>
/// One bad cell: Excel row number, column letter and header, what is wrong (in Chinese) and, when a finding rule
/// refused it, that rule's error code (the one the form and the API give, e.g. finding.deadline_past).
/// </summary>
public sealed record ImportError(int Row, string Column, string Header, string Message, string? Code = null)
{
    public override string ToString() => Row == 0 ? Message : $"第{Row}行{Column}列（{Header}）：{Message}";
}

/// <summary>The outcome; at most <see cref="ImportLimits.MaxErrors"/> errors are listed, <see cref="MoreErrors"/> counts the rest.</summary>
public sealed record ImportResult(bool Succeeded, int? InspectionId, int Imported, IReadOnlyList<ImportError> Errors, int MoreErrors = 0)
{
    public int ErrorCount => Errors.Count + MoreErrors;
}

public enum ImportStage
{
    Reading,
    Validating,
    Saving,
    Done,
}

public sealed record ImportProgress(ImportStage Stage, int Processed, int Total);

/// <summary>
/// Imports an inspection's findings from an .xlsx, all or nothing: every bad cell is reported with its row and
/// column, and a file with any error imports nothing. Units match by name or alias, categories by name; the deadline
/// is a date or a number of working days from today on the official calendar. Each row then passes the one finding
/// validation (<see cref="FindingRules"/>). A big file is written in chunks, one
/// transaction each (sized by <see cref="ChunkPacer"/>), through an <see cref="IssueStaging"/>: nothing of it is seen until the last step shows it all.
/// </summary>
public sealed partial class FindingImporter(RectifyDb db, OfficeClock clock, WorkingDayCalendar calendar, FindingRules rules, FindingIssuer issuer)
{
    public const int MaxWorkingDays = FindingDeadline.MaxWorkingDays;

    public async Task<ImportResult> ImportAsync(Stream xlsx, ImportRequest request, Actor actor,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        if (!actor.IsAuditor && actor != Actor.System)
            throw RectifyException.Forbidden("import.forbidden", "只有审核人员可以导入检查结果。", "Only auditors import inspections.");
        if (string.IsNullOrWhiteSpace(request.Title))
            throw RectifyException.Invalid("import.title_required", "请填写检查名称。", "The inspection needs a title.");

        progress?.Report(new ImportProgress(ImportStage.Reading, 0, 0));
        List<(int Row, Dictionary<int, XlsxCell> Cells)> rows;
        try
        {
            ImportLimits.Check(xlsx);
            rows = Xlsx.ReadFirstSheet(xlsx).ToList();
        }
        catch (ImportTooLargeException e)
        {
            return Failed(new ImportError(0, "", "", e.Message));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failed(new ImportError(0, "", "", "文件不是有效的 .xlsx 工作簿，请使用系统提供的导入模板。"));
        }
        if (rows.Count == 0)
            return Failed(new ImportError(1, "A", "", "文件为空：第一个工作表没有表头。"));

        var (headerRow, headerCells) = rows[0];
        var columns = new Dictionary<string, int>();
        var errors = new List<ImportError>();
        foreach (var (index, cell) in headerCells)
        {
            var name = FindingColumns.Normalize(cell.Text);
            var field = FindingColumns.Synonyms.FirstOrDefault(s => s.Value.Contains(name)).Key;
            if (field is null)
                continue;
            if (!columns.TryAdd(field, index))
                errors.Add(new ImportError(headerRow, Xlsx.ColumnName(index), cell.Text, $"与{Xlsx.ColumnName(columns[field])}列重复，均表示“{field}”。"));
        }
        foreach (var missing in FindingColumns.Import.Where(c => !columns.ContainsKey(c) && c is not FindingColumns.Location and not FindingColumns.Requirement))
            errors.Add(new ImportError(headerRow, "—", missing, $"缺少“{missing}”列：表头应为 {string.Join("、", FindingColumns.Import)}。"));
        if (errors.Count > 0)
            return Failed([.. errors]);

        var units = await UnitNamesAsync(ct);
        var categories = (await db.Set<Category>().AsNoTracking().Where(c => c.IsActive).ToListAsync(ct))
            .SelectMany(c => new[] { (c.Name, c.Id), (c.NameEn, c.Id) }).Where(x => x.Item1.Length > 0)
            .GroupBy(x => x.Item1.Trim(), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.OrdinalIgnoreCase);
        // The findings point at the inspection the import creates (0 until it is written).
        var references = await rules.ReferencesAsync(ct) with { Inspections = new HashSet<int> { 0 } };
        var today = clock.Today;
        var now = clock.Now;
        var findings = new List<Finding>(rows.Count);
        var total = rows.Count - 1;
        var moreErrors = 0;
        for (var i = 1; i < rows.Count; i++)
        {
            var (row, cells) = rows[i];
            string Text(string field) => columns.TryGetValue(field, out var c) && cells.TryGetValue(c, out var v) ? v.Text : "";
            void Error(string field, string message, string? code = null)
            {
                // A file of bad rows keeps the first errors only: the rest are counted.
                if (errors.Count < ImportLimits.MaxErrors)
                    errors.Add(new ImportError(row, columns.TryGetValue(field, out var c) ? Xlsx.ColumnName(c) : "—", field, message, code));
                else
                    moreErrors++;
            }

            var unitName = Text(FindingColumns.Unit);
            int? unitId = null;
            if (unitName.Length == 0)
                Error(FindingColumns.Unit, "责任单位不能为空。");
            else if (!units.TryGetValue(unitName, out var match))
                Error(FindingColumns.Unit, $"未找到单位“{unitName}”，请填写单位全称，或在单位管理中为其登记别名。");
            else if (match is null)
                Error(FindingColumns.Unit, $"“{unitName}”同时是多个单位的名称或别名，请填写单位全称。");
            else
                unitId = match;

            var categoryName = Text(FindingColumns.Category);
            int? categoryId = null;
            if (categoryName.Length == 0)
                Error(FindingColumns.Category, "问题类别不能为空。");
            else if (!categories.TryGetValue(categoryName, out var category))
                Error(FindingColumns.Category, $"未找到问题类别“{categoryName}”。");
            else
                categoryId = category;

            (DateOnly Date, int? WorkingDays)? deadline = null;
            var deadlineCell = columns.TryGetValue(FindingColumns.Deadline, out var dc) && cells.TryGetValue(dc, out var d) ? d : default;
            if (string.IsNullOrEmpty(deadlineCell.Text))
                Error(FindingColumns.Deadline, "整改期限不能为空：请填写日期（如 2026-03-20）或工作日数（如 10）。");
            else if (ParseDeadline(deadlineCell, today) is { } parsed)
                deadline = parsed;
            else
                Error(FindingColumns.Deadline, $"无法识别的整改期限“{deadlineCell.Text}”：请填写有效日期（如 2026-03-20）或 1–{MaxWorkingDays} 的工作日数。");

            var input = new FindingInput
            {
                UnitId = unitId ?? 0,
                CategoryId = categoryId ?? 0,
                Location = Text(FindingColumns.Location),
                Description = Text(FindingColumns.Description),
                Requirement = Text(FindingColumns.Requirement),
                Deadline = deadline?.Date ?? default,
                DeadlineWorkingDays = deadline?.WorkingDays,
            };
            var valid = unitId is not null && categoryId is not null && deadline is not null;
            // A unit, category or deadline the row does not name readably is reported above, once.
            foreach (var problem in rules.Problems(input, references, deadline: deadline is not null))
            {
                if (ColumnOf(problem.Field) is not { } field || field == FindingColumns.Unit && unitId is null || field == FindingColumns.Category && categoryId is null)
                    continue;
                Error(field, problem.Error.Message, problem.Error.Code);
                valid = false;
            }
            if (valid)
            {
                findings.Add(new Finding
                {
                    UnitId = input.UnitId,
                    CategoryId = input.CategoryId,
                    Location = input.Location.Trim(),
                    Description = input.Description.Trim(),
                    Requirement = input.Requirement.Trim(),
                    // Working days stay working days until the finding is issued (FindingDeadline.ResolveForIssue).
                    Deadline = input.Deadline,
                    DeadlineWorkingDays = input.DeadlineWorkingDays,
                    CreatedAt = now,
                    CreatedById = actor.Id,
                    UpdatedAt = now,
                });
            }
            if (i % 500 == 0)
                progress?.Report(new ImportProgress(ImportStage.Validating, i, total));
        }
        if (total == 0)
            errors.Add(new ImportError(headerRow + 1, "A", FindingColumns.Unit, "表中没有任何问题记录。"));
        if (errors.Count > 0)
            return new ImportResult(false, null, 0, errors, moreErrors);

        progress?.Report(new ImportProgress(ImportStage.Saving, 0, findings.Count));
        var staging = issuer.Stage(IssueStagingKind.Import, [], actor);
        staging.Total = findings.Count;
        var inspection = new Inspection
        {
            Title = request.Title.Trim(),
            Kind = request.Kind,
            PeriodStart = request.PeriodStart,
            PeriodEnd = request.PeriodEnd,
            Office = request.Office,
            CreatedAt = now,
            CreatedById = actor.Id,
            StagingId = staging.Id,
        };
        db.Add(inspection);
        db.AuditAs("finding.imported");
        db.WritesLongJob = true;
        await db.SaveChangesAsync(ct);
        try
        {
            var all = findings.ToArray();
            var pacer = new ChunkPacer(FindingIssuer.ChunkSize);
            for (var offset = 0; offset < all.Length;)
            {
                var chunk = pacer.Next(all, offset);
                offset += chunk.Length;
                foreach (var finding in chunk)
                    (finding.InspectionId, finding.StagingId) = (inspection.Id, staging.Id);
                db.AddRange(chunk);
                staging.Done += chunk.Length;
                db.AuditAs("finding.imported");
                await db.SaveChangesAsync(ct);
                pacer.Wrote(chunk.Length, db.LastWriteTime);
                // The next chunk's save need not scan the findings already written.
                db.ChangeTracker.Clear();
                db.Attach(staging);
                progress?.Report(new ImportProgress(ImportStage.Saving, staging.Done, findings.Count));
            }
            await issuer.PublishAsync(staging, null, ct);
        }
        catch
        {
            db.ChangeTracker.Clear();
            await issuer.DiscardAsync(staging, CancellationToken.None);
            throw;
        }
        // Published: the import is done whatever happens now (a stop leaves the clean-up to the next start).
        await issuer.CleanUpAsync(staging.Id, CancellationToken.None);
        progress?.Report(new ImportProgress(ImportStage.Done, total, total));
        return new ImportResult(true, inspection.Id, findings.Count, []);
    }

    /// <summary>The column of the sheet a <see cref="FindingInput"/> field is read from.</summary>
    private static string? ColumnOf(string field) => field switch
    {
        nameof(FindingInput.UnitId) => FindingColumns.Unit,
        nameof(FindingInput.CategoryId) => FindingColumns.Category,
        nameof(FindingInput.Location) => FindingColumns.Location,
        nameof(FindingInput.Description) => FindingColumns.Description,
        nameof(FindingInput.Requirement) => FindingColumns.Requirement,
        nameof(FindingInput.Deadline) => FindingColumns.Deadline,
        _ => null,
    };

    private static ImportResult Failed(params ImportError[] errors) =>
        new(false, null, 0, errors.Take(ImportLimits.MaxErrors).ToArray(), Math.Max(0, errors.Length - ImportLimits.MaxErrors));

    /// <summary>Every name and alias of the active units; a name two units share maps to null (ambiguous).</summary>
    private async Task<Dictionary<string, int?>> UnitNamesAsync(CancellationToken ct)
    {
        var names = new Dictionary<string, int?>(StringComparer.OrdinalIgnoreCase);
        foreach (var unit in await db.Set<Unit>().AsNoTracking().Where(u => u.IsActive).ToListAsync(ct))
        {
            foreach (var name in unit.AllNames().Distinct())
                names[name] = names.TryGetValue(name, out var other) && other != unit.Id ? null : unit.Id;
        }
        // A full name wins over another unit's alias.
        foreach (var unit in await db.Set<Unit>().AsNoTracking().Where(u => u.IsActive).Select(u => new { u.Id, u.Name }).ToListAsync(ct))
            names[unit.Name] = unit.Id;
        return names;
    }

    /// <summary>A date, or working days with the date they would give if issued today.</summary>
    private (DateOnly Date, int? WorkingDays)? ParseDeadline(XlsxCell cell, DateOnly today)
    {
        var text = cell.Text.Trim();
        if (cell.IsNumber && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            if (number >= 1 && number <= MaxWorkingDays && number == Math.Floor(number))
                return (calendar.Add(today, WorkingDays.After((int)number)), (int)number);
            // Excel stores dates as days since 1899-12-30.
            if (number > 20000 && number < 80000)
                return (DateOnly.FromDateTime(DateTime.FromOADate(Math.Floor(number))), null);
            return null;
        }
        if (WorkingDaysText().Match(text) is { Success: true } m && int.TryParse(m.Groups[1].Value, out var days))
            return days is >= 1 and <= MaxWorkingDays ? (calendar.Add(today, WorkingDays.After(days)), days) : null;
        return DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? (date, null) : null;
    }

    private static readonly string[] DateFormats =
        ["yyyy-MM-dd", "yyyy-M-d", "yyyy/M/d", "yyyy/MM/dd", "yyyy.M.d", "yyyy年M月d日", "yyyyMMdd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy/M/d H:mm:ss"];

    [GeneratedRegex(@"^(\d{1,3})\s*(个)?(工作日)?$")]
    private static partial Regex WorkingDaysText();
}
