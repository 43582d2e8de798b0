using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Rectify.Captures;
using Rectify.Findings;
using Rectify.Reports;
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
            var (units, category, inspection) = await Sample.SeedAsync(d, "教育局");
            var finding = Sample.Finding(units[0], category, inspection, new DateOnly(2026, 3, 20));
            finding.Status = FindingStatus.Submitted;
            var earlier = new RectificationReport { Measures = "第一次", Links = "https://www.example.gov.cn/old.html", Decision = ReviewDecision.Returned };
            var waiting = new RectificationReport
            {
                Measures = "已公开", Decision = ReviewDecision.Pending,
                Links = "https://www.example.gov.cn/jyj/zsjh.html\n  http://www.example.gov.cn/a.html \nftp://x/\n网站首页\nhttps://www.example.gov.cn/jyj/zsjh.html",
            };
            finding.Reports.AddRange([earlier, waiting]);
            d.Add(finding);
            await d.SaveChangesAsync();
            return (waiting.Id, earlier.Id);
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
