using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Notices.Spreadsheets;
using Rectify.Testing;
using Rectify.Time;

namespace Rectify.Notices.Tests;

/// <summary>The ledger, the completion table and the all-or-nothing import, on real .xlsx files.</summary>
public sealed class SpreadsheetTests : IAsyncLifetime
{
    private NoticeTestBed _bed = null!;
    private static readonly ImportRequest Request = new("2026年3月政务公开检查（导入）", InspectionKind.ThirdPartyCheck, new(2026, 3, 1), new(2026, 3, 31));

    public async Task InitializeAsync() => _bed = await NoticeTestBed.CreateAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private Task<ImportResult> ImportAsync(byte[] file, IProgress<ImportProgress>? progress = null) =>
        _bed.WithAsync(sp => sp.GetRequiredService<FindingImporter>().ImportAsync(new MemoryStream(file), Request, Sample.Auditor, progress));

    private Task<int> FindingCountAsync() => _bed.Db.WithDbAsync(db => db.Set<Finding>().CountAsync());

    private static byte[] Sheet(IReadOnlyList<string> headers, params IReadOnlyList<object?>[] rows) =>
        Xlsx.Write(new XlsxSheet("检查发现问题", headers, rows));

    private Task<List<(string Unit, string Category, string Location, string Description, string Requirement, DateOnly Deadline)>> FindingsOfAsync(int inspectionId) =>
        _bed.Db.WithDbAsync(async db => (await db.Set<Finding>().Where(f => f.InspectionId == inspectionId).OrderBy(f => f.Id)
                .Select(f => new { Unit = f.Unit!.Name, Category = f.Category!.Name, f.Location, f.Description, f.Requirement, f.Deadline }).ToListAsync())
            .Select(f => (f.Unit, f.Category, f.Location, f.Description, f.Requirement, f.Deadline)).ToList());

    private async Task<List<(string Unit, string Category, string Location, string Description, string Requirement, DateOnly Deadline)>> SortedFindingsOfAsync(int inspectionId) =>
        (await FindingsOfAsync(inspectionId)).OrderBy(f => f.Unit, StringComparer.Ordinal).ThenBy(f => f.Description, StringComparer.Ordinal).ToList();

    [Fact]
    public async Task A_ledger_imported_as_a_new_inspection_gives_the_same_findings()
    {
        var original = await _bed.InspectionAsync("2026年2月政务公开第三方检查", new(2026, 2, 1), new(2026, 2, 28),
            ("教育局", "主动公开", "招生计划目录本年度未更新", new DateOnly(2026, 3, 13)),
            ("科技局", "政策解读", "政策解读栏目无解读材料，含“引号”与<尖括号>&符号", new DateOnly(2026, 3, 20)),
            ("马塘街道", "政务新媒体", "政务新媒体更新不及时", new DateOnly(2026, 4, 1)),
            // Today is 2026-03-02: a ledger row already past its deadline is refused like a form's (finding.deadline_past, see FindingValidationPathTests).
            ("卫健委", "互动服务", "互动回应超过规定时限", new DateOnly(2026, 3, 2)));
        var ledger = await _bed.WithAsync(sp => sp.GetRequiredService<FindingSheets>().LedgerAsync(Sample.Auditor, inspectionId: original));

        var result = await ImportAsync(ledger);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(4, result.Imported);
        Assert.NotEqual(original, result.InspectionId);
        Assert.Equal(await SortedFindingsOfAsync(original), await SortedFindingsOfAsync(result.InspectionId!.Value));
        var imported = await _bed.Db.WithDbAsync(db => db.Set<Finding>().Where(f => f.InspectionId == result.InspectionId).Select(f => f.Status).Distinct().ToListAsync());
        Assert.Equal([FindingStatus.Draft], imported);
    }

    [Fact]
    public async Task The_template_imports_units_by_alias_and_deadlines_in_working_days()
    {
        var template = FindingSheets.ImportTemplate();
        var headers = Xlsx.ReadFirstSheet(new MemoryStream(template)).Single().Cells.OrderBy(c => c.Key).Select(c => c.Value.Text).ToList();
        Assert.Equal(FindingColumns.Import, headers);

        var file = Sheet(headers,
            ["区教育局", "主动公开", "https://www.example.gov.cn/jyj/zsjh", "招生计划目录本年度未更新", "及时更新", 10],
            ["马塘街道", "政务新媒体", "", "公众号停更", "", "2026年4月3日"],
            ["教体局", "政策解读", "", "无解读", "", "5个工作日"],
            ["科技局", "主动公开", "", "数字日期", "", 46116]); // 2026-04-04 as an Excel date serial
        var result = await ImportAsync(file);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var rows = await FindingsOfAsync(result.InspectionId!.Value);
        var calendar = _bed.Db.Services.GetRequiredService<WorkingDayCalendar>();
        var today = new DateOnly(2026, 3, 2);
        Assert.Equal(("教育局", calendar.Add(today, WorkingDays.After(10))), (rows[0].Unit, rows[0].Deadline));
        Assert.Equal(new DateOnly(2026, 3, 16), rows[0].Deadline);
        Assert.Equal(new DateOnly(2026, 4, 3), rows[1].Deadline);
        Assert.Equal(("教育局", new DateOnly(2026, 3, 9)), (rows[2].Unit, rows[2].Deadline));
        Assert.Equal(new DateOnly(2026, 4, 4), rows[3].Deadline);

        // Working days stay working days on the draft: they become a date when the finding is issued, not imported.
        var drafts = await _bed.Db.WithDbAsync(db => db.Set<Finding>().Where(f => f.InspectionId == result.InspectionId).OrderBy(f => f.Id).ToListAsync());
        Assert.Equal([10, null, 5, null], drafts.Select(f => f.DeadlineWorkingDays));
        _bed.Db.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 10, 10, 0, 0, TimeSpan.FromHours(8)).ToUniversalTime());
        await _bed.WithAsync(sp => sp.GetRequiredService<FindingService>().IssueAsync([drafts[0].Id], Sample.Auditor));
        var issued = await _bed.Db.WithDbAsync(db => db.Set<Finding>().SingleAsync(f => f.Id == drafts[0].Id));
        // Ten working days from Wed 03-11 (the day after issuing): Tue 03-24, not the import's 03-16.
        Assert.Equal((new DateOnly(2026, 3, 24), (int?)null, FindingStatus.Assigned), (issued.Deadline, issued.DeadlineWorkingDays, issued.Status));
    }

    [Fact]
    public async Task Wrong_headers_import_nothing_and_say_which_columns_are_missing()
    {
        var file = Sheet(["单位名", "分类", "说明", "期限"], ["教育局", "主动公开", "招生计划目录本年度未更新", "2026-03-20"]);
        var result = await ImportAsync(file);

        Assert.False(result.Succeeded);
        Assert.Equal(0, await FindingCountAsync());
        Assert.Equal([FindingColumns.Unit, FindingColumns.Category, FindingColumns.Description], result.Errors.Select(e => e.Header));
        Assert.All(result.Errors, e => Assert.Equal(1, e.Row));
        Assert.Contains("缺少“责任单位”列", result.Errors[0].Message);
    }

    [Fact]
    public async Task Every_bad_cell_is_reported_with_its_row_and_column_and_nothing_is_imported()
    {
        var file = Sheet(FindingColumns.Import,
            ["教育局", "主动公开", "", "招生计划目录本年度未更新", "", "2026-03-20"],
            ["不存在的局", "主动公开", "", "问题A", "", "2026-03-20"],
            ["科技局", "主动公开", "", "问题B", "", "2026-02-30"],
            ["住交局", "主动公开", "", "", "", "2026-03-20"],
            ["卫健委", "未知类别", "", "问题C", "", "明天"],
            ["马塘街道", "主动公开", "", "问题D", "", 0]);
        var result = await ImportAsync(file);

        Assert.False(result.Succeeded);
        Assert.Equal(0, await FindingCountAsync());
        Assert.Equal(0, await _bed.Db.WithDbAsync(db => db.Set<Inspection>().CountAsync()));
        Assert.Equal(
            [(3, "A", FindingColumns.Unit), (4, "F", FindingColumns.Deadline), (5, "D", FindingColumns.Description),
             (6, "B", FindingColumns.Category), (6, "F", FindingColumns.Deadline), (7, "F", FindingColumns.Deadline)],
            result.Errors.Select(e => (e.Row, e.Column, e.Header)));
        Assert.Equal("第3行A列（责任单位）：未找到单位“不存在的局”，请填写单位全称，或在单位管理中为其登记别名。", result.Errors[0].ToString());
        Assert.Contains("2026-02-30", result.Errors[1].Message);
    }

    [Fact]
    public async Task Ten_thousand_rows_with_one_bad_date_import_nothing_and_name_that_cell()
    {
        var units = NoticeTestBed.UnitNames;
        var rows = Enumerable.Range(0, 10_000).Select(i => (IReadOnlyList<object?>)
            [units[i % units.Length], NoticeTestBed.CategoryNames[i % 4], $"https://www.example.gov.cn/col/{i}", $"第{i + 1}个问题", "按要求整改", i == 7_775 ? "2026-13-01" : "2026-04-30"]).ToArray();
        var file = Sheet(FindingColumns.Import, rows);
        var reports = new List<ImportProgress>();
        var watch = Stopwatch.StartNew();

        var result = await ImportAsync(file, new Collecting(reports));

        watch.Stop();
        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Equal((7_777, "F"), (error.Row, error.Column));
        Assert.Equal(0, await FindingCountAsync());
        Assert.Contains(reports, r => r.Stage == ImportStage.Validating && r.Processed == 5_000 && r.Total == 10_000);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"validation took {watch.Elapsed}");
    }

    [Fact]
    public async Task The_completion_table_is_written_with_the_notice_figures()
    {
        var inspection = await _bed.InspectionAsync("2026年2月检查", new(2026, 2, 1), new(2026, 2, 28),
            ("教育局", "主动公开", "问题一", new DateOnly(2026, 3, 13)),
            ("教育局", "政策解读", "问题二", new DateOnly(2026, 3, 13)),
            ("科技局", "主动公开", "问题三", new DateOnly(2026, 3, 13)));
        var first = await _bed.DraftAsync("X政公办〔2026〕5号", new(2026, 3, 2), inspection);
        await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(first, Sample.Auditor));
        // Past the deadline, the next notice's table holds the three findings, all overdue.
        _bed.Db.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 16, 2, 0, 0, TimeSpan.Zero));
        var id = await _bed.DraftAsync("X政公办〔2026〕6号", new(2026, 3, 16));
        var bytes = await _bed.WithAsync(sp => sp.GetRequiredService<FindingSheets>().CompletionAsync(id, Sample.Auditor));
        var rows = Xlsx.ReadFirstSheet(new MemoryStream(bytes)).Select(r => r.Cells.OrderBy(c => c.Key).Select(c => c.Value.Text).ToList()).ToList();
        Assert.Equal(["序号", "单位", "到期问题数", "已整改", "按时整改", "逾期未整改", "整改完成率（%）", "按时整改率（%）"], rows[0]);
        Assert.Equal(["1", "教育局", "2", "0", "0", "2", "0", "0"], rows[1]);
        Assert.Equal(["合计", "3", "0", "0", "3", "0", "0"], rows[3]);
    }

    private sealed class Collecting(List<ImportProgress> reports) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => reports.Add(value);
    }
}
