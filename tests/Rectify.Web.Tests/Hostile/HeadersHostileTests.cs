using System.Net;
using System.Net.Http.Json;
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
        var response = await app.Raw().GetAsync(path);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'self'", csp);
        Assert.Contains("'wasm-unsafe-eval'", csp);
        Assert.DoesNotContain("'unsafe-eval'", csp.Replace("'wasm-unsafe-eval'", ""));
        // Our own script files only (the Studio's pages add its one inline script by hash): no 'unsafe-inline'.
        Assert.Matches("script-src 'self' 'wasm-unsafe-eval'( 'sha256-[^']+')?;", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("SAMEORIGIN", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
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
