using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rectify.Auditing;
using Rectify.Captures;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Testing;

namespace Rectify.Core.Tests;

/// <summary>
/// A report's cited links are fetched once, in the background, against a unit's website on loopback (allowed here by
/// configuration only); the guard refuses every address that is not public, at connect time and after redirects.
/// </summary>
public sealed class LinkCaptureTests : IAsyncLifetime
{
    private LocalWebSite _site = null!;

    public async Task InitializeAsync() => _site = await LocalWebSite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    private static GuardedFetcher Fetcher(bool allowLoopback = false, long maxBytes = 5 * 1024 * 1024, int maxRedirects = 5) =>
        new(Options.Create(new CaptureOptions { AllowLoopback = allowLoopback, MaxBytes = maxBytes, MaxRedirects = maxRedirects }));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.5.4")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    public void Non_public_addresses_are_refused(string address) =>
        Assert.False(PublicAddress.IsAllowed(IPAddress.Parse(address), allowLoopback: false));

    [Theory]
    [InlineData("202.96.134.133")]
    [InlineData("8.8.8.8")]
    [InlineData("2400:3200::1")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(PublicAddress.IsAllowed(IPAddress.Parse(address), allowLoopback: false));

    [Fact]
    public void Loopback_is_allowed_only_when_configured_and_never_widens_to_private()
    {
        Assert.True(PublicAddress.IsAllowed(IPAddress.Loopback, allowLoopback: true));
        Assert.True(PublicAddress.IsAllowed(IPAddress.IPv6Loopback, allowLoopback: true));
        Assert.False(PublicAddress.IsAllowed(IPAddress.Parse("10.1.2.3"), allowLoopback: true));
        Assert.False(PublicAddress.IsAllowed(IPAddress.Parse("169.254.169.254"), allowLoopback: true));
    }

    [Fact]
    public async Task The_guard_refuses_loopback_by_default_by_address_and_by_name()
    {
        var url = _site.Page("/xxgk/index.html", "<html><body>本地页面</body></html>");
        using var fetcher = Fetcher();
        var byAddress = await fetcher.FetchAsync(url);
        Assert.Equal(LinkOutcome.Refused, byAddress.Outcome);
        Assert.Contains("非公网地址", byAddress.Detail);
        Assert.Empty(byAddress.Body);

        var byName = await fetcher.FetchAsync(url.Replace("127.0.0.1", "localhost"));
        Assert.Equal(LinkOutcome.Refused, byName.Outcome);
    }

    [Theory]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://192.168.0.1:8080/admin")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[::ffff:172.16.0.1]/")]
    public async Task The_guard_refuses_private_and_link_local_targets_before_connecting(string url)
    {
        using var fetcher = Fetcher(allowLoopback: true);
        var result = await fetcher.FetchAsync(url);
        Assert.Equal(LinkOutcome.Refused, result.Outcome);
        Assert.Null(result.StatusCode);
    }

    [Theory]
    [InlineData("ftp://www.example.gov.cn/a.html")]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://127.0.0.1:25/")]
    public async Task Only_http_and_https_are_fetched(string url)
    {
        using var fetcher = Fetcher(allowLoopback: true);
        Assert.Equal(LinkOutcome.Refused, (await fetcher.FetchAsync(url)).Outcome);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/iam")]
    [InlineData("http://10.0.0.8/internal")]
    [InlineData("http://[::ffff:192.168.1.1]/")]
    [InlineData("file:///etc/passwd")]
    public async Task A_redirect_to_a_private_target_is_refused(string target)
    {
        var url = _site.Redirect("/moved", target);
        using var fetcher = Fetcher(allowLoopback: true);
        var result = await fetcher.FetchAsync(url);
        Assert.Equal(LinkOutcome.Refused, result.Outcome);
        Assert.Empty(result.Body);
    }

    [Fact]
    public async Task Redirects_are_followed_within_the_limit_and_size_is_bounded()
    {
        var final = _site.Page("/new/page.html", "<html><body>新页面</body></html>");
        _site.Redirect("/hop2", final);
        var start = _site.Redirect("/hop1", "/hop2");
        using (var fetcher = Fetcher(allowLoopback: true))
        {
            var followed = await fetcher.FetchAsync(start);
            Assert.Equal(LinkOutcome.Captured, followed.Outcome);
            Assert.Equal(final, followed.FinalUrl!.ToString());
        }
        using (var strict = Fetcher(allowLoopback: true, maxRedirects: 1))
            Assert.Equal(LinkOutcome.Failed, (await strict.FetchAsync(start)).Outcome);
        var big = _site.Page("/big.html", "<html><body>" + new string('公', 40_000) + "</body></html>");
        using var small = Fetcher(allowLoopback: true, maxBytes: 64 * 1024);
        var tooLarge = await small.FetchAsync(big);
        Assert.Equal(LinkOutcome.Failed, tooLarge.Outcome);
        Assert.Contains("大小限制", tooLarge.Detail);
    }

    [Fact]
    public async Task A_submitted_report_s_links_are_captured_once_in_the_background_and_join_the_finding_s_history()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gbk = Encoding.GetEncoding("gb2312");
        var html = "<html><head><meta charset=\"gb2312\"><title>招生计划</title><script>var x = '不应出现';</script></head>"
                   + "<body><h1>2026年义务教育招生计划</h1><p>城区小学招生计划已于3月1日公开。</p></body></html>";
        var page = _site.Page("/jyj/zsjh.html", html, encoding: gbk);
        _site.Redirect("/old", "/jyj/zsjh.html");
        var gone = _site.Url("/deleted.html");
        await using var db = await TestDatabase.CreateAsync(settings: new Dictionary<string, string?> { ["Evidence:Capture:AllowLoopback"] = "true" });
        var (findingId, liaison) = await AssignedFindingAsync(db);

        await using (var scope = db.Scope(liaison))
        {
            await scope.ServiceProvider.GetRequiredService<ReportService>().SubmitAsync(findingId,
                new ReportForm($"已更新招生计划，见 {_site.Url("/old")} 。", true, [page, gone]), [], liaison);
        }
        // Queued in the submission's transaction; nothing was fetched in the request.
        var queued = await db.WithDbAsync(d => d.Set<LinkCapture>().AsNoTracking().OrderBy(c => c.Id).ToListAsync());
        Assert.Equal([page, gone, _site.Url("/old")], queued.Select(c => c.Url));
        Assert.All(queued, c => Assert.Equal(LinkOutcome.Pending, c.Outcome));

        var worker = db.Services.GetRequiredService<LinkCaptureWorker>();
        Assert.Equal(3, await worker.RunPendingAsync());
        Assert.Equal(0, await worker.RunPendingAsync());

        var captures = await db.WithDbAsync(d => d.Set<LinkCapture>().AsNoTracking().OrderBy(c => c.Id).ToListAsync());
        var kept = captures[0];
        Assert.Equal(LinkOutcome.Captured, kept.Outcome);
        Assert.Equal(200, kept.StatusCode);
        Assert.Equal(page, kept.FinalUrl);
        Assert.Equal(db.Clock.GetUtcNow(), kept.FetchedAt);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(gbk.GetBytes(html))), kept.Sha256);
        Assert.Contains("text/html", kept.Headers);
        var storage = db.Services.GetRequiredService<IEvidenceStorage>();
        Assert.Equal(gbk.GetBytes(html), await ReadAsync(storage, kept.BodyKey!));
        var text = Encoding.UTF8.GetString(await ReadAsync(storage, kept.TextKey!));
        Assert.Contains("2026年义务教育招生计划", text);
        Assert.Contains("城区小学招生计划已于3月1日公开。", text);
        Assert.DoesNotContain("不应出现", text);
        Assert.Null(kept.ScreenshotKey); // no browser configured

        Assert.Equal(LinkOutcome.Gone, captures[1].Outcome);
        Assert.Equal(404, captures[1].StatusCode);
        Assert.Null(captures[1].BodyKey);
        Assert.Equal(LinkOutcome.Captured, captures[2].Outcome);
        Assert.Equal(page, captures[2].FinalUrl);

        var history = await db.WithDbAsync(d => d.Set<AuditEvent>().AsNoTracking().Where(a => a.FindingId == findingId && a.EntityType == nameof(LinkCapture))
            .OrderBy(a => a.Id).ToListAsync());
        Assert.Equal(["finding.submitted", "finding.submitted", "finding.submitted", "link.captured", "link.capture_failed", "link.captured"],
            history.Select(a => a.Action));
        Assert.Contains(kept.Sha256, history[3].After);
        Assert.All(history.Skip(3), a => Assert.Equal(Actor.System.Id, a.ActorId));

        // The stored copy is the finding's: its unit's liaison and staff read it, another unit gets 404.
        await using (var scope = db.Scope(liaison))
        {
            var (_, content) = await scope.ServiceProvider.GetRequiredService<LinkCaptureService>().OpenAsync(kept.Id, CapturePart.Text, liaison);
            await content.DisposeAsync();
        }
        var stranger = Sample.LiaisonOf(liaison.UnitId!.Value + 1);
        await using (var scope = db.Scope(stranger))
        {
            var refused = await Assert.ThrowsAsync<RectifyException>(() =>
                scope.ServiceProvider.GetRequiredService<LinkCaptureService>().OpenAsync(kept.Id, CapturePart.Body, stranger));
            Assert.Equal(RectifyErrorKind.NotFound, refused.Kind);
        }

        // The orphan sweep keeps the stored copies: their fetch references them.
        File.SetLastWriteTimeUtc(Path.Combine(db.Directory, "evidence", kept.BodyKey!), DateTime.UtcNow.AddDays(-2));
        Assert.Equal(0, await db.Services.GetRequiredService<EvidenceSweeper>().SweepAsync());
        Assert.True(await storage.ExistsAsync(kept.BodyKey!));
    }

    [Fact]
    public async Task Without_the_loopback_setting_a_local_link_is_refused_and_recorded_so()
    {
        var page = _site.Page("/page.html", "<html><body>内网页面</body></html>");
        await using var db = await TestDatabase.CreateAsync();
        var (findingId, liaison) = await AssignedFindingAsync(db);
        await using (var scope = db.Scope(liaison))
            await scope.ServiceProvider.GetRequiredService<ReportService>().SubmitAsync(findingId, new ReportForm("已整改", true, [page]), [], liaison);
        await db.Services.GetRequiredService<LinkCaptureWorker>().RunPendingAsync();
        var capture = await db.WithDbAsync(d => d.Set<LinkCapture>().AsNoTracking().SingleAsync());
        Assert.Equal(LinkOutcome.Refused, capture.Outcome);
        Assert.Null(capture.BodyKey);
        Assert.Contains("非公网地址", capture.Detail);
    }

    [Fact]
    public void Containment_measures_how_much_of_the_captured_text_is_left()
    {
        const string captured = "2026年义务教育招生计划：城区小学招生计划已于3月1日公开。";
        Assert.Equal(1, PageText.Containment(captured, captured + "\n新增：学区划分方案。"));
        Assert.Equal(1, PageText.Containment(captured, captured.Replace("：", " ：\n")));
        Assert.True(PageText.Containment(captured, "网站改版中，请稍后访问。") < 0.1);
        Assert.InRange(PageText.Containment(captured, "2026年义务教育招生计划：内容调整中。"), 0.2, 0.6);
    }

    private static async Task<(int FindingId, Actor Liaison)> AssignedFindingAsync(TestDatabase db)
    {
        var (findingId, unitId) = await db.WithDbAsync(async d =>
        {
            var (units, category, inspection) = await Sample.SeedAsync(d, "教育局", "科技局");
            var finding = Sample.Finding(units[0], category, inspection, new DateOnly(2026, 3, 20));
            finding.Status = FindingStatus.Assigned;
            d.Add(finding);
            await d.SaveChangesAsync();
            return (finding.Id, units[0].Id);
        });
        return (findingId, Sample.LiaisonOf(unitId));
    }

    private static async Task<byte[]> ReadAsync(IEvidenceStorage storage, string key)
    {
        await using var stream = await storage.OpenReadAsync(key);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
