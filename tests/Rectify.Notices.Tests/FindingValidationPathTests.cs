using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Notices.Spreadsheets;
using Rectify.Testing;

namespace Rectify.Notices.Tests;

/// <summary>
/// One finding validation (<see cref="FindingRules"/>): saving a finding (the page and the API), issuing it, issuing
/// a notice and importing a sheet refuse the same input with the same code.
/// </summary>
public sealed class FindingValidationPathTests : IAsyncLifetime
{
    private static readonly DateOnly Past = new(2026, 2, 27); // today is 2026-03-02
    private NoticeTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await NoticeTestBed.CreateAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private async Task<string> SaveRefusedAsync(FindingInput input) =>
        (await Assert.ThrowsAsync<RectifyException>(() => _bed.WithAsync(sp => sp.GetRequiredService<FindingService>().CreateAsync(input, Sample.Auditor)))).Code;

    private async Task<string?> ImportRefusedAsync(string location, string description, object deadline)
    {
        var file = Xlsx.Write(new XlsxSheet("检查发现问题", FindingColumns.Import, [["教育局", "主动公开", location, description, "及时更新", deadline]]));
        var result = await _bed.WithAsync(sp => sp.GetRequiredService<FindingImporter>()
            .ImportAsync(new MemoryStream(file), new ImportRequest("导入", InspectionKind.ThirdPartyCheck, new(2026, 2, 1), new(2026, 2, 28)), Sample.Auditor));
        Assert.False(result.Succeeded);
        return Assert.Single(result.Errors).Code;
    }

    [Fact]
    public async Task A_past_deadline_is_finding_deadline_past_from_the_form_the_issue_a_notice_and_the_import()
    {
        var inspection = await _bed.InspectionAsync("2026年2月检查", new(2026, 2, 1), new(2026, 2, 28), ("教育局", "主动公开", "招生计划目录本年度未更新", Past));
        var draft = await _bed.FindingIdAsync("招生计划目录本年度未更新");
        var notice = await _bed.DraftAsync("X政公办〔2026〕3号", new(2026, 3, 2), inspection);
        var input = new FindingInput { InspectionId = inspection, UnitId = _bed.Units["教育局"], CategoryId = _bed.Categories["主动公开"], Description = "栏目未更新", Deadline = Past };

        Assert.Equal("finding.deadline_past", await SaveRefusedAsync(input));
        Assert.Equal("finding.deadline_past", (await Assert.ThrowsAsync<RectifyException>(() =>
            _bed.WithAsync(sp => sp.GetRequiredService<FindingService>().IssueAsync([draft], Sample.Auditor)))).Code);
        Assert.Equal("finding.deadline_past", (await Assert.ThrowsAsync<RectifyException>(() =>
            _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(notice, Sample.Auditor)))).Code);
        Assert.Equal("finding.deadline_past", await ImportRefusedAsync("", "栏目未更新", "2026-02-27"));
    }

    [Fact]
    public async Task A_missing_description_and_a_too_long_location_are_refused_alike_by_the_form_and_the_import()
    {
        var inspection = await _bed.InspectionAsync("2026年2月检查", new(2026, 2, 1), new(2026, 2, 28));
        var input = new FindingInput { InspectionId = inspection, UnitId = _bed.Units["教育局"], CategoryId = _bed.Categories["主动公开"], Description = "栏目未更新", Deadline = new(2026, 4, 30) };
        var tooLong = new string('栏', 501);

        Assert.Equal("finding.description_required", await SaveRefusedAsync(input with { Description = " " }));
        Assert.Equal("finding.description_required", await ImportRefusedAsync("", "", "2026-04-30"));
        Assert.Equal("text.too_long", await SaveRefusedAsync(input with { Location = tooLong }));
        Assert.Equal("text.too_long", await ImportRefusedAsync(tooLong, "栏目未更新", "2026-04-30"));
    }
}
