using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Captures;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Web.Demo;

namespace Rectify.Web.Tests.Hostile;

/// <summary>Security headers on every answer, HTTPS behind a configured proxy only, and a sign-out that ends the session on the server.</summary>
public sealed class HeadersHostileTests(HeadersHostileTests.ProxiedApp app) : IClassFixture<HeadersHostileTests.ProxiedApp>
{
    /// <summary>Behind a TLS-terminating proxy on loopback.</summary>
    public sealed class ProxiedApp : HostileApp
    {
        protected override IDictionary<string, string?> Extra => new Dictionary<string, string?> { ["Proxy:KnownProxies:0"] = "127.0.0.1" };
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/dashboard")]
    [InlineData("/api/no-such-thing")]
    [InlineData("/designer/workflows/definitions/rectification/edit")]
    [InlineData("/css/site.css")]
    [InlineData("/health")]
    public async Task Every_answer_carries_the_security_headers(string path)
    {
        var csp = AssertSecurityHeaders(path, await app.Raw().GetAsync(path));
        Assert.Contains("'wasm-unsafe-eval'", csp);
        Assert.DoesNotContain("'unsafe-eval'", csp.Replace("'wasm-unsafe-eval'", ""));
        // Our own script files only (the Studio's pages add its one inline script by hash): no 'unsafe-inline'.
        Assert.Matches("script-src 'self' 'wasm-unsafe-eval'( 'sha256-[^']+')?;", csp);
    }

    /// <summary>
    /// Refusals (the exception handler rewrites their answer and clears its headers), files, the notice's pages and
    /// exports, /metrics: every kind of answer carries the headers, and what shows a stored file is sandboxed.
    /// </summary>
    [Fact]
    public async Task Refusals_files_notices_and_metrics_carry_the_security_headers_too()
    {
        var jyj = await app.SignedInAsync("jyj");
        var kjj = await app.SignedInAsync("kjj");
        var auditor = app.Raw();
        auditor.Timeout = TimeSpan.FromMinutes(5); // the PDF comes from LibreOffice
        Assert.Equal(HttpStatusCode.NoContent, (await auditor.PostAsJsonAsync("/api/auth/login", new { userName = "auditor", password = DemoData.Password })).StatusCode);
        var finding = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Unit!.Name == "教育局" && f.Status == FindingStatus.Assigned).Select(f => f.Id).FirstAsync());
        var pdf = new byte[2048];
        "%PDF-1.4"u8.CopyTo(pdf);
        var file = new ByteArrayContent(pdf);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        var submitted = await jyj.PostAsync($"/api/findings/{finding}/reports", new MultipartFormDataContent { { new StringContent("已整改"), "measures" }, { file, "files", "证明.pdf" } });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var report = await submitted.Content.ReadFromJsonAsync<JsonElement>();
        var evidence = report.GetProperty("evidence")[0].GetProperty("id").GetGuid();
        var capture = await CapturedPageAsync(finding, report.GetProperty("id").GetInt32());
        var (notice, _) = await NoticePreviewApiTests.DraftAsync(app, auditor, "X政公办〔2026〕77号");
        Assert.Equal(HttpStatusCode.OK, (await auditor.PostAsync($"/api/notices/{notice}/issue", null)).StatusCode);

        var answers = new (string What, HttpResponseMessage Response)[]
        {
            ("refused sign-in (problem from the exception handler)", await app.Raw().PostAsJsonAsync("/api/auth/login", new { userName = "nobody", password = "x" })),
            ("another unit's finding (404 problem)", await kjj.GetAsync($"/api/findings/{finding}")),
            ("another unit's finding page (404 page)", await kjj.GetAsync($"/findings/{finding}")),
            ("a post without the antiforgery token", await (await app.SignedInAsync("kjj", antiforgery: false)).PostAsync("/api/auth/logout", null)),
            ("an oversized body (413)", await HostileApp.PostAskingFirstAsync(jyj, $"/api/findings/{finding}/comments", new StringContent(new string('a', 2 * 1024 * 1024), System.Text.Encoding.UTF8, "application/json"))),
            ("evidence download", await jyj.GetAsync($"/api/evidence/{evidence}")),
            ("evidence shown inline", await jyj.GetAsync($"/api/evidence/{evidence}/view")),
            ("captured page", await jyj.GetAsync($"/api/captures/{capture}/body")),
            ("notice.html", await jyj.GetAsync($"/api/notices/{notice}/notice.html")),
            ("notice.docx", await jyj.GetAsync($"/api/notices/{notice}/notice.docx")),
            ("notice.pdf", await auditor.GetAsync($"/api/notices/{notice}/notice.pdf")),
            ("ledger .xlsx", await auditor.GetAsync("/api/findings/export.xlsx")),
            ("/metrics", await app.Raw().GetAsync("/metrics")),
        };
        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge],
            answers.Take(5).Select(a => a.Response.StatusCode));
        Assert.All(answers.Skip(5).Where(a => a.What != "notice.pdf"), a => Assert.True(a.Response.StatusCode == HttpStatusCode.OK, $"{a.What}: {(int)a.Response.StatusCode}"));
        foreach (var (what, response) in answers)
            AssertSecurityHeaders(what, response);
        foreach (var sandboxed in new[] { answers[6].Response, answers[7].Response })
            Assert.StartsWith("sandbox;", string.Join(";", sandboxed.Headers.GetValues("Content-Security-Policy")));
    }

    /// <summary>A stored copy of a page the report cites (as the capture worker leaves it), to be shown sandboxed.</summary>
    private async Task<int> CapturedPageAsync(int finding, int report)
    {
        const string key = "captures/hostile-headers.html";
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<IEvidenceStorage>().SaveAsync(key, new MemoryStream("<html><body>招生计划</body></html>"u8.ToArray()));
        return await app.WithDbAsync(async db =>
        {
            var capture = new LinkCapture
            {
                FindingId = finding, ReportId = report, Url = "https://www.example.gov.cn/zsjh.html", Outcome = LinkOutcome.Captured,
                RequestedAt = DateTimeOffset.UtcNow, FetchedAt = DateTimeOffset.UtcNow, ContentType = "text/html; charset=utf-8", BodyKey = key,
            };
            db.Add(capture);
            await db.SaveChangesAsync();
            return capture.Id;
        });
    }

    private static string AssertSecurityHeaders(string what, HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var policies), $"{what}: no Content-Security-Policy");
        var csp = string.Join(";", policies!);
        Assert.True(csp.Contains("frame-ancestors 'self'", StringComparison.Ordinal), $"{what}: {csp}");
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("SAMEORIGIN", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), what);
        return csp;
    }

    [Fact]
    public async Task Behind_the_configured_proxy_https_gets_hsts_and_secure_cookies()
    {
        var client = app.Raw(antiforgery: false);
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var response = await client.PostAsJsonAsync("/api/auth/login", new { userName = "jyj", password = DemoData.Password });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Contains("max-age=", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".Rectify.Auth=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_a_configured_proxy_forwarded_headers_are_ignored()
    {
        await using var direct = new HostileApp();
        await ((IAsyncLifetime)direct).InitializeAsync();
        var client = direct.Raw(antiforgery: false);
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var response = await client.PostAsJsonAsync("/api/auth/login", new { userName = "jyj", password = DemoData.Password });
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.DoesNotContain("secure", Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".Rectify.Auth=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_everywhere_at_the_next_stamp_check()
    {
        // The same account signed in twice (a stolen copy of the cookie behaves like the second).
        var first = await app.SignedInAsync("mtjd");
        var copy = await app.SignedInAsync("mtjd");
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await first.PostAsync("/api/auth/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.GetAsync("/api/auth/me")).StatusCode);
        // The stamp is checked once a minute (on the office clock), not on every request.
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/auth/me")).StatusCode);
    }
}
