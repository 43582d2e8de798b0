using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Auditing;
using Rectify.Testing;

namespace Rectify.Notices.Tests;

/// <summary>
/// An issued notice carries the audit chain's head at its issue time, on the notice, in the .docx custom properties
/// and in the web page's footer, and the chain check compares it with the chain.
/// </summary>
public sealed class NoticeAuditAnchorTests : IAsyncLifetime
{
    private NoticeTestBed _bed = null!;
    private int _id;

    public async Task InitializeAsync()
    {
        _bed = await NoticeTestBed.CreateAsync();
        var inspection = await _bed.InspectionAsync("2026年2月政务公开第三方检查", new(2026, 2, 1), new(2026, 2, 28),
            ("教育局", "主动公开", "招生计划目录本年度未更新", new DateOnly(2026, 3, 20)),
            ("科技局", "政策解读", "政策解读栏目无解读材料", new DateOnly(2026, 3, 20)));
        _id = await _bed.DraftAsync("X政公办〔2026〕5号", new(2026, 3, 2), inspection);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private Task<T> Notices<T>(Func<NoticeService, Task<T>> work) => _bed.WithAsync(sp => work(sp.GetRequiredService<NoticeService>()));

    [Fact]
    public async Task An_issued_notice_records_the_head_before_its_own_entry_in_its_docx_and_page()
    {
        // A draft anchors nothing yet.
        Assert.DoesNotContain("<footer class=\"audit-anchor\">", await Notices(n => n.PageHtmlAsync(_id, Sample.Auditor)));
        Assert.Empty(CustomProperties(await Notices(n => n.DocxAsync(_id, Sample.Auditor))));

        await Notices(n => n.IssueAsync(_id, Sample.Auditor));

        var notice = await Notices(n => n.GetAsync(_id, Sample.Auditor));
        var entries = await _bed.Db.WithDbAsync(db => db.Set<AuditEvent>().AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());
        var issued = entries.Single(e => e.Action == "notice.issued");
        // The head is the entry just before the issue's own: the findings' start, saved in the same transaction, included.
        var anchored = entries.Single(e => e.Sequence == notice.AuditHeadSequence);
        Assert.Equal(issued.Sequence - 1, anchored.Sequence);
        Assert.Equal(anchored.Hash, notice.AuditHeadHash);
        Assert.Equal(2, entries.Count(e => e.Sequence <= anchored.Sequence && e.Action == "finding.assigned"));

        var properties = CustomProperties(await Notices(n => n.DocxAsync(_id, Sample.Auditor)));
        Assert.Equal(anchored.Sequence.ToString(CultureInfo.InvariantCulture), properties[NoticeDocxProperties.HeadSequence]);
        Assert.Equal(anchored.Hash, properties[NoticeDocxProperties.HeadHash]);

        var page = await Notices(n => n.PageHtmlAsync(_id, Sample.Auditor));
        var footer = page[page.IndexOf("<footer class=\"audit-anchor\">", StringComparison.Ordinal)..];
        Assert.Contains($"操作记录链共{anchored.Sequence}条", footer);
        Assert.Contains($"<code>{anchored.Hash}</code>", footer);

        var report = await _bed.Db.WithDbAsync(db => AuditChain.VerifyAsync(db, new NoticeAuditAnchors()));
        Assert.True(report.IsIntact);
        Assert.Equal(1, report.NoticesChecked);
    }

    [Fact]
    public async Task The_log_proves_the_issued_text_by_its_digest_and_issuing_does_not_write_the_text_again()
    {
        await Notices(n => n.IssueAsync(_id, Sample.Auditor));

        var text = (await Notices(n => n.GetAsync(_id, Sample.Auditor))).Text!;
        var entries = await _bed.Db.WithDbAsync(db => db.Set<AuditEvent>().AsNoTracking().Where(e => e.EntityType == nameof(NoticeText)).ToListAsync());
        // Composed once, when the draft was made; turning 印发中 and then issued changed the notice's row only.
        var composed = Assert.Single(entries);
        Assert.Equal("notice.composed", composed.Action);
        var after = System.Text.Json.JsonDocument.Parse(composed.After!).RootElement;
        Assert.Equal(AuditedAsDigestAttribute.Of(text.Json), after.GetProperty(nameof(NoticeText.Json)).GetString());
        Assert.Equal(AuditedAsDigestAttribute.Of(text.Html), after.GetProperty(nameof(NoticeText.Html)).GetString());
        Assert.Matches($"^{text.Json.Length} chars, sha256 [0-9a-f]{{64}}$", after.GetProperty(nameof(NoticeText.Json)).GetString());
        Assert.DoesNotContain("招生计划目录本年度未更新", composed.After);
        Assert.All(await _bed.Db.WithDbAsync(db => db.Set<AuditEvent>().AsNoTracking().Where(e => e.EntityType == nameof(Notice)).ToListAsync()),
            e => Assert.DoesNotContain("招生计划目录本年度未更新", e.After ?? ""));
    }

    [Fact]
    public async Task A_history_rewritten_consistently_after_issuing_no_longer_matches_the_notice()
    {
        await Notices(n => n.IssueAsync(_id, Sample.Auditor));
        var anchor = (await Notices(n => n.GetAsync(_id, Sample.Auditor))).AuditHeadSequence!.Value;

        // Whoever edits an entry and recomputes every hash from it on keeps the links intact, but not the notice's anchor.
        await _bed.Db.WithDbAsync(async db =>
        {
            var rows = await db.Set<AuditEvent>().OrderBy(e => e.Sequence).ToListAsync();
            var content = new CanonicalContent();
            rows[1].ActorName = "他人";
            for (var i = 1; i < rows.Count; i++)
            {
                rows[i].PreviousHash = rows[i - 1].Hash;
                rows[i].Hash = content.HashOf(rows[i]);
                await db.Database.ExecuteSqlRawAsync("UPDATE \"AuditEvent\" SET \"ActorName\" = {0}, \"PreviousHash\" = {1}, \"Hash\" = {2} WHERE \"Id\" = {3}",
                    rows[i].ActorName, rows[i].PreviousHash!, rows[i].Hash!, rows[i].Id);
            }
            return 0;
        });

        var report = await _bed.Db.WithDbAsync(db => AuditChain.VerifyAsync(db, new NoticeAuditAnchors()));
        Assert.Null(report.FirstBreak);
        Assert.False(report.IsIntact);
        var broken = Assert.Single(report.AnchorBreaks);
        Assert.Equal((_id, "X政公办〔2026〕5号", anchor), (broken.NoticeId, broken.Number, broken.Sequence));
    }

    private static Dictionary<string, string> CustomProperties(byte[] docx)
    {
        using var zip = new ZipArchive(new MemoryStream(docx));
        if (zip.GetEntry("docProps/custom.xml") is not { } entry)
            return [];
        XNamespace vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes";
        return XDocument.Load(entry.Open()).Root!.Elements()
            .ToDictionary(p => (string)p.Attribute("name")!, p => (string)p.Element(vt + "lpwstr")!);
    }
}
