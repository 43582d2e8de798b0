using System.IO.Compression;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Notices.Spreadsheets;
using Rectify.Testing;

namespace Rectify.Notices.Tests.Hostile;

/// <summary>
/// Hostile .xlsx files: a small zip that inflates to a huge sheet, too many rows or columns, a huge shared-string
/// table, a file of bad rows. Each is refused (or its errors capped) before it costs memory, and nothing is imported.
/// </summary>
public sealed class ImportHostileTests : IAsyncLifetime
{
    private NoticeTestBed _bed = null!;
    private static readonly ImportRequest Request = new("恶意导入", InspectionKind.ThirdPartyCheck, new(2026, 3, 1), new(2026, 3, 31));

    public async Task InitializeAsync() => _bed = await NoticeTestBed.CreateAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private Task<ImportResult> ImportAsync(byte[] file) =>
        _bed.WithAsync(sp => sp.GetRequiredService<FindingImporter>().ImportAsync(new MemoryStream(file), Request, Sample.Auditor));

    /// <summary>The import template with its first sheet's XML (and optionally the shared strings) replaced, deflated at the smallest size.</summary>
    private static byte[] Bomb(Action<StreamWriter> sheetData, Action<StreamWriter>? sharedStrings = null)
    {
        var template = FindingSheets.ImportTemplate();
        var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(template), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                var copy = target.CreateEntry(entry.FullName, CompressionLevel.SmallestSize);
                using var to = copy.Open();
                if (entry.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal))
                {
                    using var writer = new StreamWriter(to, new UTF8Encoding(false));
                    writer.Write("""<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>""");
                    sheetData(writer);
                    writer.Write("</x:sheetData></x:worksheet>");
                }
                else
                {
                    using var from = entry.Open();
                    from.CopyTo(to);
                }
            }
            if (sharedStrings is not null)
            {
                using var writer = new StreamWriter(target.CreateEntry("xl/sharedStrings.xml", CompressionLevel.SmallestSize).Open(), new UTF8Encoding(false));
                writer.Write("""<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">""");
                sharedStrings(writer);
                writer.Write("</sst>");
            }
        }
        return output.ToArray();
    }

    private static void Rows(StreamWriter writer, int count, int columns = 6)
    {
        var cells = string.Concat(Enumerable.Range(0, columns).Select(c => $"""<x:c t="inlineStr"><x:is><x:t>教育局</x:t></x:is></x:c>"""));
        for (var i = 1; i <= count; i++)
            writer.Write($"<x:row r=\"{i}\">{cells}</x:row>");
    }

    /// <summary>Refused with <paramref name="message"/>; with <paramref name="inflatedOnly"/>, before the parser allocated anything like the inflated size.</summary>
    private async Task AssertRefusedAsync(byte[] file, string message, bool inflatedOnly = true)
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var result = await ImportAsync(file);
        allocated = GC.GetTotalAllocatedBytes() - allocated;
        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Contains(message, error.Message);
        Assert.Equal(0, await _bed.Db.WithDbAsync(db => db.Set<Finding>().CountAsync()));
        // The check inflates into a fixed buffer: nothing near the inflated size is held.
        if (inflatedOnly)
            Assert.True(allocated < 64L * 1024 * 1024, $"{allocated / 1024 / 1024} MB allocated");
    }

    [Fact]
    public async Task A_small_file_inflating_to_a_huge_sheet_is_refused_before_parsing()
    {
        // ~200 MB of sheet XML in a file of about a megabyte.
        var file = Bomb(w => { var row = new string(' ', 1024 * 1024); for (var i = 0; i < 200; i++) w.Write(row); });
        Assert.True(file.Length < 2 * 1024 * 1024, $"{file.Length} bytes");
        await AssertRefusedAsync(file, "解压后超过");
    }

    [Fact]
    public async Task A_huge_shared_string_table_is_refused_before_parsing()
    {
        var file = Bomb(w => Rows(w, 2), w => { var item = "<si><t>" + new string('字', 1000) + "</t></si>"; for (var i = 0; i < 20_000; i++) w.Write(item); });
        await AssertRefusedAsync(file, "共享文本");
    }

    [Fact]
    public async Task Too_many_rows_are_refused_while_reading()
    {
        await AssertRefusedAsync(Bomb(w => Rows(w, ImportLimits.MaxRows + 2)), $"超过 {ImportLimits.MaxRows} 行", inflatedOnly: false);
    }

    [Fact]
    public async Task Too_many_columns_are_refused_while_reading()
    {
        await AssertRefusedAsync(Bomb(w => Rows(w, 3, ImportLimits.MaxColumns + 1)), $"超过 {ImportLimits.MaxColumns} 列", inflatedOnly: false);
    }

    [Fact]
    public async Task A_file_of_bad_rows_keeps_the_first_hundred_errors_and_counts_the_rest()
    {
        var rows = Enumerable.Range(0, 3000).Select(i => (IReadOnlyList<object?>)["不存在的局", "未知类别", "", "", "", "明天"]).ToArray();
        var result = await ImportAsync(Xlsx.Write(new XlsxSheet("检查发现问题", FindingColumns.Import, rows)));
        Assert.False(result.Succeeded);
        Assert.Equal(ImportLimits.MaxErrors, result.Errors.Count);
        Assert.Equal(3000 * 4, result.ErrorCount);
        Assert.Equal(2, result.Errors[0].Row);
    }

    [Fact]
    public void Finished_jobs_are_dropped_after_a_short_time()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var services = _bed.Db.Services;
        var jobs = new ImportJobs(services.GetRequiredService<IServiceScopeFactory>(), clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<ImportJobs>.Instance);
        var job = jobs.Start([1, 2, 3], "bad.xlsx", Request, Sample.Auditor);
        SpinWait.SpinUntil(() => job.Finished, TimeSpan.FromSeconds(30));
        Assert.True(job.Finished);
        Assert.Same(job, jobs.Get(job.Id));
        clock.Advance(ImportJobs.KeepFinished + TimeSpan.FromSeconds(1));
        Assert.Null(jobs.Get(job.Id));
        Assert.Equal(0, jobs.Count);
    }
}
