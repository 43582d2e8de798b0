using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Notices;
using Rectify.Testing;
using Rectify.Units;

namespace Rectify.Core.Tests;

/// <summary>
/// The audit log as a hash chain, on the real database of the pass (SQLite file or PostgreSQL): every save links its
/// entries; an entry changed, deleted or inserted by SQL afterwards is named by the check; entries from before the chain
/// are sealed deterministically; two nodes appending at once keep one unbroken chain.
/// </summary>
public sealed class AuditChainTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Every_save_links_its_entries_in_order_and_the_chain_checks_out()
    {
        await AddUnitsAsync("教育局", "科技局", "住交局");
        await RenameAsync("科技局", "区科技局");

        var entries = await EntriesAsync();
        Assert.Equal([1L, 2, 3, 4], entries.Select(e => e.Sequence));
        Assert.Equal(AuditChain.Genesis, entries[0].PreviousHash);
        for (var i = 1; i < entries.Count; i++)
            Assert.Equal(entries[i - 1].Hash, entries[i].PreviousHash);
        Assert.All(entries, e => Assert.Equal(new CanonicalContent().HashOf(e), e.Hash));

        var report = await VerifyAsync();
        Assert.True(report.IsIntact);
        Assert.Equal(4, report.Entries);
        Assert.Equal(new AuditChainHead(4, entries[3].Hash!), report.Head);
        Assert.Equal(report.Head, await _db.WithDbAsync(db => AuditChain.HeadAsync(db)));
    }

    [Fact]
    public async Task An_entry_changed_by_sql_is_named()
    {
        await AddUnitsAsync("教育局", "科技局", "住交局", "卫健委");
        var victim = (await EntriesAsync())[1];

        await SqlAsync("UPDATE \"AuditEvent\" SET \"After\" = REPLACE(\"After\", '科技局', '科技厅') WHERE \"Id\" = {0}", victim.Id);

        var report = await VerifyAsync();
        Assert.False(report.IsIntact);
        Assert.Equal((AuditBreakKind.Content, victim.Id, 2L), (report.FirstBreak!.Kind, report.FirstBreak.Id, report.FirstBreak.Sequence));
        Assert.Equal(1, report.BrokenEntries);
        Assert.Contains($"第2条记录（编号{victim.Id}）的内容与其哈希不符", report.FirstBreak.Message);
        Assert.Contains($"Entry {victim.Id} (sequence 2)", report.FirstBreak.MessageEn);
    }

    [Fact]
    public async Task An_entry_rewritten_with_a_recomputed_hash_breaks_the_link_of_the_next()
    {
        await AddUnitsAsync("教育局", "科技局", "住交局");
        var entries = await EntriesAsync();
        var forged = entries[0];
        forged.ActorName = "他人";
        await SqlAsync("UPDATE \"AuditEvent\" SET \"ActorName\" = {0}, \"Hash\" = {1} WHERE \"Id\" = {2}", "他人", new CanonicalContent().HashOf(forged), forged.Id);

        var report = await VerifyAsync();
        Assert.Equal((AuditBreakKind.Link, entries[1].Id, 2L, 1L),
            (report.FirstBreak!.Kind, report.FirstBreak.Id, report.FirstBreak.Sequence, report.FirstBreak.PreviousSequence));
        Assert.Contains("与前一条（第1条）的链接不符", report.FirstBreak.Message);
    }

    [Fact]
    public async Task An_entry_deleted_by_sql_is_named_by_the_entry_after_the_gap()
    {
        await AddUnitsAsync("教育局", "科技局", "住交局", "卫健委");
        var entries = await EntriesAsync();

        await SqlAsync("DELETE FROM \"AuditEvent\" WHERE \"Id\" = {0}", entries[2].Id);

        var report = await VerifyAsync();
        Assert.Equal((AuditBreakKind.Missing, entries[3].Id, 4L), (report.FirstBreak!.Kind, report.FirstBreak.Id, report.FirstBreak.Sequence));
        Assert.Equal($"第4条记录（编号{entries[3].Id}）之前缺少第3条：该记录已被删除。", report.FirstBreak.Message);
        Assert.Equal(3, report.Entries);
    }

    [Fact]
    public async Task An_entry_inserted_by_sql_is_named()
    {
        await AddUnitsAsync("教育局", "科技局");
        var head = (await EntriesAsync())[^1];

        // A forged entry placed as the next link, copying the head's link and content shape.
        await SqlAsync("""
            INSERT INTO "AuditEvent" ("Sequence", "At", "ActorId", "ActorName", "EntityType", "EntityId", "Action", "Before", "After", "FindingId", "PreviousHash", "Hash")
            SELECT "Sequence" + 1, "At", "ActorId", "ActorName", "EntityType", "EntityId", 'unit.deleted', "After", NULL, "FindingId", "Hash", "Hash"
            FROM "AuditEvent" WHERE "Id" = {0}
            """, head.Id);

        var inserted = (await EntriesAsync())[^1];
        Assert.Equal(3, inserted.Sequence);
        var report = await VerifyAsync();
        Assert.Equal((AuditBreakKind.Content, inserted.Id, 3L, "unit.deleted"),
            (report.FirstBreak!.Kind, report.FirstBreak.Id, report.FirstBreak.Sequence, report.FirstBreak.Action));
    }

    [Fact]
    public async Task A_notice_anchor_finds_a_history_cut_off_after_it()
    {
        await AddUnitsAsync("教育局", "科技局", "住交局");
        var head = (await _db.WithDbAsync(db => AuditChain.HeadAsync(db)))!;
        var noticeId = await _db.WithDbAsync(async db =>
        {
            var notice = new Notice { Number = "政务公开办〔2026〕1号", Title = "通报", Status = NoticeStatus.Issued, AuditHeadSequence = head.Sequence, AuditHeadHash = head.Hash };
            db.Add(notice);
            await db.SaveChangesAsync();
            return notice.Id;
        });
        Assert.True((await VerifyAsync()).IsIntact);

        // The last entries removed together: every remaining link still holds, but the notice's anchor is gone.
        await SqlAsync("DELETE FROM \"AuditEvent\" WHERE \"Sequence\" >= {0}", head.Sequence);

        var report = await VerifyAsync();
        Assert.Null(report.FirstBreak);
        Assert.False(report.IsIntact);
        Assert.Equal(noticeId, Assert.Single(report.AnchorBreaks).NoticeId);
    }

    [Fact]
    public async Task Entries_from_before_the_chain_are_sealed_at_start_to_the_same_hashes()
    {
        await AddUnitsAsync("教育局", "科技局", "住交局");
        await RenameAsync("教育局", "区教育局");
        var chained = await EntriesAsync();

        // As the migration leaves rows written before the chain: numbered, not yet hashed.
        await SqlAsync("UPDATE \"AuditEvent\" SET \"PreviousHash\" = NULL, \"Hash\" = NULL WHERE \"Id\" > {0}", 0);
        Assert.False((await VerifyAsync()).IsIntact);

        await DatabaseInitializer.MigrateAsync(_db.Services);

        Assert.Equal(chained.Select(e => (e.Sequence, e.PreviousHash, e.Hash)), (await EntriesAsync()).Select(e => (e.Sequence, e.PreviousHash, e.Hash)));
        Assert.True((await VerifyAsync()).IsIntact);
        // New entries go on from the sealed head.
        await AddUnitsAsync("卫健委");
        var report = await VerifyAsync();
        Assert.True(report.IsIntact);
        Assert.Equal(5, report.Head!.Sequence);
    }

    [Fact]
    public async Task Two_nodes_appending_at_once_keep_one_unbroken_chain()
    {
        // A second node: its own services, clock and connection pool on the same database (file or PostgreSQL database).
        await using var other = await TestDatabase.CreateAsync(directory: _db.Directory);
        const int writers = 4, saves = 15;
        var work = new[] { _db, other }.SelectMany((node, n) => Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < saves; i++)
            {
                await using var scope = node.Scope();
                var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
                // Two audited rows per save, so a save's entries must stay adjacent and in order.
                db.AddRange(Sample.Unit($"单位{n}-{w}-{i}甲"), Sample.Unit($"单位{n}-{w}-{i}乙"));
                await db.SaveChangesAsync();
            }
        })));
        await Task.WhenAll(work);

        var report = await VerifyAsync();
        Assert.True(report.IsIntact, report.FirstBreak?.MessageEn);
        Assert.Equal(2 * writers * saves * 2, report.Entries);
        Assert.Equal(report.Entries, report.Head!.Sequence);
    }

    private async Task AddUnitsAsync(params string[] names)
    {
        foreach (var name in names)
        {
            await using var scope = _db.Scope(Sample.Supervisor);
            var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            db.Add(Sample.Unit(name));
            await db.SaveChangesAsync();
        }
    }

    private async Task RenameAsync(string name, string newName)
    {
        await using var scope = _db.Scope(Sample.Supervisor);
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        (await db.Set<Unit>().SingleAsync(u => u.Name == name)).Name = newName;
        await db.SaveChangesAsync();
    }

    private Task<List<AuditEvent>> EntriesAsync() =>
        _db.WithDbAsync(db => db.Set<AuditEvent>().AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());

    private Task<AuditChainReport> VerifyAsync() => _db.WithDbAsync(db => AuditChain.VerifyAsync(db, new Notices.NoticeAuditAnchors()));

    private Task<int> SqlAsync(string sql, params object[] parameters) =>
        _db.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql, parameters));
}
