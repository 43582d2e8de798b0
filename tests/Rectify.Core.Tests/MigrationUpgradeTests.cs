using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Notices;
using Rectify.Reports;
using Rectify.Testing;
using System.Globalization;
using static Rectify.Core.Tests.OldSchemaRows;

namespace Rectify.Core.Tests;

/// <summary>
/// A database created by the first release (only the initial migration), holding an office's data written as that
/// release wrote it, upgrades in place to the current schema: every later migration applies to it, keeps its rows and
/// migrates them to the rules of today. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
/// </summary>
public sealed class MigrationUpgradeTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync(migrate: false);

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static readonly DateTimeOffset Created = new(2026, 11, 2, 1, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Issued = new(2026, 11, 9, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_database_of_the_first_release_upgrades_in_place_keeping_and_migrating_its_rows()
    {
        int returnedId = 0, acceptedId = 0, noticeId = 0;
        await _db.WithDbAsync(async db =>
        {
            await db.GetService<IMigrator>().MigrateAsync("InitialCreate");
            Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync());

            var (unit, category, inspection) = await OldSchemaRows.ReferenceDataAsync(db, Created);
            Dictionary<string, object?> Finding(string description, string status) => new()
            {
                ["InspectionId"] = inspection, ["UnitId"] = unit, ["CategoryId"] = category, ["Location"] = "教育领域",
                ["Description"] = description, ["Requirement"] = "及时更新", ["Severity"] = "Normal", ["Deadline"] = new DateOnly(2026, 11, 20),
                ["Status"] = status, ["IsOverdue"] = false, ["QueuedForFollowUp"] = false, ["CreatedAt"] = Instant(db, Created),
                ["CreatedById"] = "auditor-1", ["UpdatedAt"] = Instant(db, Issued), ["AssignedAt"] = Instant(db, Issued), ["Version"] = 3,
            };
            // The first release sent a returned finding back to 待整改; today 退回 is a status of its own.
            returnedId = await InsertAsync(db, "Finding", Finding("招生计划目录未更新", "Assigned"));
            acceptedId = await InsertAsync(db, "Finding", Finding("政策解读缺失", "Accepted"));
            foreach (var (finding, decision) in new[] { (returnedId, "Returned"), (acceptedId, "Accepted") })
                await InsertAsync(db, "RectificationReport", new()
                {
                    ["FindingId"] = finding, ["Measures"] = "已更新目录", ["IsFullyRectified"] = true, ["Links"] = "https://www.example.gov.cn/a",
                    ["SubmittedById"] = "liaison-1", ["SubmittedByName"] = "李联络", ["SubmittedAt"] = Instant(db, Issued.AddDays(2)),
                    ["SubmittedOnTime"] = true, ["Decision"] = decision, ["ReviewComment"] = "", ["ReviewedByName"] = "张审核",
                });
            noticeId = await InsertAsync(db, "Notice", new()
            {
                ["Number"] = "政务公开办〔2026〕7号", ["Title"] = "关于2026年10月政务公开检查情况的通报", ["Office"] = "市政务公开办",
                ["Addressees"] = "各部门", ["Date"] = new DateOnly(2026, 11, 9), ["PeriodStart"] = new DateOnly(2026, 10, 1),
                ["PeriodEnd"] = new DateOnly(2026, 10, 31), ["Status"] = "Issued", ["Introduction"] = "", ["Requirements"] = "",
                ["Attachments"] = "", ["ContactLine"] = "", ["CreatedAt"] = Instant(db, Created), ["CreatedById"] = "auditor-1",
                ["UpdatedAt"] = Instant(db, Issued), ["IssuedAt"] = Instant(db, Issued), ["IssuedByName"] = "张审核", ["Version"] = 2,
            });
            await InsertAsync(db, "NoticeFinding", new() { ["NoticeId"] = noticeId, ["FindingId"] = returnedId, ["Section"] = "New" }, id: false);
            await InsertAsync(db, "AuditEvent", new()
            {
                ["At"] = Instant(db, Issued), ["ActorId"] = "auditor-1", ["ActorName"] = "张审核", ["EntityType"] = "Finding",
                ["EntityId"] = returnedId.ToString(CultureInfo.InvariantCulture), ["Action"] = "finding.issued", ["FindingId"] = returnedId,
            }, id: false);
            return 0;
        });

        await DatabaseInitializer.MigrateAsync(_db.Services);

        await _db.WithDbAsync(async db =>
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            var findings = await db.Set<Finding>().OrderBy(f => f.Id).ToListAsync();
            Assert.Equal([(returnedId, FindingStatus.Returned), (acceptedId, FindingStatus.Accepted)], findings.Select(f => (f.Id, f.Status)));
            Assert.All(findings, f => Assert.Equal((new DateOnly(2026, 11, 20), (int?)null), (f.Deadline, f.DeadlineWorkingDays)));
            Assert.Equal(2, await db.Set<RectificationReport>().CountAsync());
            var notice = await db.Set<Notice>().SingleAsync();
            Assert.Equal((NoticeStatus.Issued, (DateTimeOffset?)Issued), (notice.Status, notice.CutOff));
            // The first release's audit entry heads the hash chain, sealed at the start after the migrations.
            var entry = await db.Set<Rectify.Auditing.AuditEvent>().SingleAsync();
            Assert.Equal((1L, Rectify.Auditing.AuditChain.Genesis), (entry.Sequence, entry.PreviousHash));
            Assert.Equal(new Rectify.Auditing.CanonicalContent().HashOf(entry), entry.Hash);
            Assert.True((await Rectify.Auditing.AuditChain.VerifyAsync(db, new NoticeAuditAnchors())).IsIntact);
            return 0;
        });
    }
}
