using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Rectify.Testing;

namespace Rectify.Notices.Tests;

/// <summary>
/// The migration that moves a notice's text into its own table keeps every notice's text: a draft's preview, an issued
/// notice's snapshot (still read as issued), and none for a draft never composed. Both providers.
/// </summary>
public sealed class NoticeTextMigrationTests
{
    [Fact]
    public async Task Previews_and_snapshots_move_to_the_text_table_and_read_as_before()
    {
        await using var db = await NoticeTestBed.DatabaseAsync(migrate: false);
        var migrations = await db.WithDbAsync(d => Task.FromResult(d.Database.GetMigrations().ToList()));
        var added = migrations.Single(m => m.EndsWith("_NoticeTextOwnTable", StringComparison.Ordinal));
        var preview = """{"Title":"草稿通报","IsIssued":false}""";
        var snapshot = """{"Title":"已印发通报","IsIssued":true}""";
        var (draft, issued, bare) = await db.WithDbAsync(async d =>
        {
            await d.GetService<IMigrator>().MigrateAsync(migrations[migrations.IndexOf(added) - 1]);
            var at = new DateTimeOffset(2026, 11, 9, 2, 0, 0, TimeSpan.Zero);
            object instant = d.Database.IsSqlite() ? at.ToUnixTimeMilliseconds() : at;
            async Task<int> Insert(string number, string status, params string?[] texts)
            {
                // PreviewJson, PreviewHtml, SnapshotJson, SnapshotHtml; a null is written as NULL.
                var values = string.Join(", ", texts.Select((t, i) => t is null ? "NULL" : $"{{{i + 4}}}"));
                var insert = $$"""
                    INSERT INTO "Notice" ("Number", "Title", "Office", "Addressees", "Date", "PeriodStart", "PeriodEnd", "Status",
                        "Introduction", "Requirements", "Attachments", "ContactLine", "CreatedAt", "CreatedById", "UpdatedAt",
                        "IssuedByName", "Version", "PreviewJson", "PreviewHtml", "SnapshotJson", "SnapshotHtml")
                    VALUES ({0}, '通报', '区政务公开办', '各部门', {1}, {1}, {1}, {2}, '', '', '', '', {3}, 'auditor-1', {3}, '', 1, {{values}})
                    """;
                await d.Database.ExecuteSqlRawAsync(insert, [number, new DateOnly(2026, 11, 9), status, instant, .. texts.Select(t => t ?? "")]);
                return await d.Database.SqlQueryRaw<int>("""SELECT MAX("Id") AS "Value" FROM "Notice" """).SingleAsync();
            }
            return (await Insert("D1", "Draft", preview, "<p>草稿正文</p>", null, null),
                await Insert("I1", "Issued", null, null, snapshot, "<p>印发正文</p>"),
                await Insert("D2", "Draft", null, null, null, null));
        });

        await DatabaseInitializer.MigrateAsync(db.Services);

        var texts = await db.WithDbAsync(d => d.Set<Notice>().AsNoTracking().OrderBy(n => n.Id).Select(n => new { n.Id, n.Text }).ToListAsync());
        Assert.Equal([draft, issued, bare], texts.Select(t => t.Id));
        Assert.Equal((preview, "<p>草稿正文</p>"), (texts[0].Text!.Json, texts[0].Text!.Html));
        Assert.Equal((snapshot, "<p>印发正文</p>"), (texts[1].Text!.Json, texts[1].Text!.Html));
        Assert.Null(texts[2].Text);

        await using var scope = db.Scope(Sample.Auditor);
        var notices = scope.ServiceProvider.GetRequiredService<NoticeService>();
        Assert.Equal(("草稿通报", false), await Read(draft));
        Assert.Equal(("已印发通报", true), await Read(issued));
        Assert.Equal("<p>印发正文</p>", await notices.BodyHtmlAsync(issued, Sample.Auditor));

        async Task<(string, bool)> Read(int id)
        {
            var content = await notices.ContentAsync(id, Sample.Auditor);
            return (content.Title, content.IsIssued);
        }
    }
}
