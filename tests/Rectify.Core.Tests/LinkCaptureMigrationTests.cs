using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Rectify.Captures;
using Rectify.Testing;

namespace Rectify.Core.Tests;

/// <summary>The migration that adds captures queues the links of the reports then awaiting review, on both providers.</summary>
public sealed class LinkCaptureMigrationTests
{
    [Fact]
    public async Task Reports_pending_at_the_upgrade_get_their_links_queued_for_capture()
    {
        await using var db = await TestDatabase.CreateAsync();
        var migrations = await db.WithDbAsync(d => Task.FromResult(d.Database.GetMigrations().ToList()));
        var added = migrations.Single(m => m.EndsWith("_EvidenceLinkCaptures", StringComparison.Ordinal));
        await db.WithDbAsync(async d =>
        {
            await d.GetService<IMigrator>().MigrateAsync(migrations[migrations.IndexOf(added) - 1]);
            return 0;
        });

        var (pending, accepted) = await db.WithDbAsync(async d =>
        {
            var created = new DateTimeOffset(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);
            var (unit, category, inspection) = await OldSchemaRows.ReferenceDataAsync(d, created);
            var finding = await OldSchemaRows.InsertAsync(d, "Finding", new()
            {
                ["InspectionId"] = inspection, ["UnitId"] = unit, ["CategoryId"] = category, ["Location"] = "教育领域",
                ["Description"] = "招生计划未公开", ["Requirement"] = "及时公开", ["Severity"] = "Normal", ["Deadline"] = new DateOnly(2026, 3, 20),
                ["DeadlineReason"] = "", ["Status"] = "Submitted", ["IsOverdue"] = false, ["QueuedForFollowUp"] = false, ["CreatedAt"] = OldSchemaRows.Instant(d, created),
                ["CreatedById"] = "auditor-1", ["UpdatedAt"] = OldSchemaRows.Instant(d, created), ["Version"] = 1,
            });
            Task<int> Report(string measures, string links, string decision) => OldSchemaRows.InsertAsync(d, "RectificationReport", new()
            {
                ["FindingId"] = finding, ["Measures"] = measures, ["IsFullyRectified"] = true, ["Links"] = links,
                ["SubmittedById"] = "liaison-1", ["SubmittedByName"] = "李联络", ["SubmittedAt"] = OldSchemaRows.Instant(d, created.AddDays(1)),
                ["SubmittedOnTime"] = true, ["Decision"] = decision, ["ReviewComment"] = "", ["ReviewedByName"] = "",
            });
            var earlier = await Report("第一次", "https://www.example.gov.cn/old.html", "Returned");
            var waiting = await Report("已公开",
                "https://www.example.gov.cn/jyj/zsjh.html\n  http://www.example.gov.cn/a.html \nftp://x/\n网站首页\nhttps://www.example.gov.cn/jyj/zsjh.html", "Pending");
            return (waiting, earlier);
        });

        await db.WithDbAsync(async d =>
        {
            await d.GetService<IMigrator>().MigrateAsync();
            return 0;
        });
        var queued = await db.WithDbAsync(d => d.Set<LinkCapture>().AsNoTracking().OrderBy(c => c.Url).ToListAsync());
        Assert.Equal(["http://www.example.gov.cn/a.html", "https://www.example.gov.cn/jyj/zsjh.html"], queued.Select(c => c.Url));
        Assert.All(queued, c =>
        {
            Assert.Equal(pending, c.ReportId);
            Assert.Equal(LinkCheckKind.Capture, c.Kind);
            Assert.Equal(LinkOutcome.Pending, c.Outcome);
            Assert.InRange(c.RequestedAt, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
        });
        Assert.DoesNotContain(queued, c => c.ReportId == accepted);
    }
}
