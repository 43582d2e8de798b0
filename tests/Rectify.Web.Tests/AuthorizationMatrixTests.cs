using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Rectify.Findings;

namespace Rectify.Web.Tests;

/// <summary>The role × endpoint matrix over HTTP: anonymous, auditor, supervisor, the 教育局 liaison and the 科技局 liaison.</summary>
public sealed class AuthorizationMatrixTests(WebFixture app) : IClassFixture<WebFixture>
{
    public static TheoryData<string, string, string, int> Matrix() => new()
    {
        // The finding list and a finding: a liaison sees its own unit; another unit's finding is 404 even by id.
        { "anonymous", "GET", "/api/findings", 401 },
        { "auditor", "GET", "/api/findings", 200 },
        { "supervisor", "GET", "/api/findings", 200 },
        { "jyj", "GET", "/api/findings", 200 },
        { "anonymous", "GET", "/api/findings/{jyj}", 401 },
        { "auditor", "GET", "/api/findings/{jyj}", 200 },
        { "supervisor", "GET", "/api/findings/{jyj}", 200 },
        { "jyj", "GET", "/api/findings/{jyj}", 200 },
        { "kjj", "GET", "/api/findings/{jyj}", 404 },
        { "kjj", "GET", "/api/findings/{jyj}/history", 404 },
        { "jyj", "GET", "/api/findings/{jyj}/history", 200 },
        { "jyj", "GET", "/api/findings/{draft}", 404 },
        { "auditor", "GET", "/api/findings/{draft}", 200 },
        // Captured copies of cited links: whoever sees the finding; re-checks and rebounds of a notice draft: staff, auditors.
        { "anonymous", "GET", "/api/findings/{jyj}/captures", 401 },
        { "auditor", "GET", "/api/findings/{jyj}/captures", 200 },
        { "jyj", "GET", "/api/findings/{jyj}/captures", 200 },
        { "kjj", "GET", "/api/findings/{jyj}/captures", 404 },
        { "anonymous", "GET", "/api/captures/1/body", 401 },
        { "anonymous", "GET", "/api/captures/1/screenshot", 401 },
        { "anonymous", "GET", "/api/captures/1/text", 401 },
        // Evidence files, downloaded or shown inline: staff and the liaison of the finding's unit; anyone else 404.
        { "anonymous", "GET", "/api/evidence/{wjwEvidence}", 401 },
        { "anonymous", "GET", "/api/evidence/{wjwEvidence}/view", 401 },
        { "wjw", "GET", "/api/evidence/{wjwEvidence}", 200 },
        { "wjw", "GET", "/api/evidence/{wjwEvidence}/view", 200 },
        { "auditor", "GET", "/api/evidence/{wjwEvidence}/view", 200 },
        { "supervisor", "GET", "/api/evidence/{wjwEvidence}/view", 200 },
        { "jyj", "GET", "/api/evidence/{wjwEvidence}", 404 },
        { "jyj", "GET", "/api/evidence/{wjwEvidence}/view", 404 },
        { "kjj", "GET", "/api/evidence/{wjwEvidence}/view", 404 },
        // A notice's exports: anyone signed in for an issued notice, drafts staff only (none of either here: 404).
        { "anonymous", "GET", "/api/notices/999999/notice.pdf", 401 },
        { "anonymous", "GET", "/api/notices/999999/notice.html", 401 },
        { "jyj", "GET", "/api/notices/999999/notice.pdf", 404 },
        { "jyj", "GET", "/api/notices/1/rechecks", 403 },
        { "jyj", "POST", "/api/notices/1/rebounds/1", 403 },
        { "supervisor", "POST", "/api/notices/1/rebounds/1", 403 },
        // Recording and issuing: auditors only.
        { "anonymous", "POST", "/api/findings", 401 },
        { "supervisor", "POST", "/api/findings", 403 },
        { "jyj", "POST", "/api/findings", 403 },
        { "auditor", "POST", "/api/findings", 201 },
        { "jyj", "PUT", "/api/findings/{draft}", 403 },
        { "supervisor", "POST", "/api/findings/{draft}/issue", 403 },
        { "jyj", "POST", "/api/findings/{draft}/issue", 403 },
        // Reviewing and deciding: auditors only; a liaison trying to review gets 403.
        { "jyj", "POST", "/api/findings/{jyj}/reports/1/review", 403 },
        { "supervisor", "POST", "/api/findings/{jyj}/reports/1/review", 403 },
        { "auditor", "POST", "/api/findings/{jyj}/reports/999999/review", 404 },
        { "jyj", "POST", "/api/findings/{jyj}/extensions/1/decision", 403 },
        // Bulk actions: auditors only; the filtered export: office staff.
        { "anonymous", "POST", "/api/findings/bulk/accept", 401 },
        { "jyj", "POST", "/api/findings/bulk/accept", 403 },
        { "supervisor", "POST", "/api/findings/bulk/return", 403 },
        { "jyj", "POST", "/api/findings/bulk/remind", 403 },
        { "supervisor", "POST", "/api/findings/bulk/deadline", 403 },
        { "auditor", "POST", "/api/findings/bulk/remind", 400 },
        { "jyj", "GET", "/api/findings/export.xlsx", 403 },
        { "supervisor", "GET", "/api/findings/export.xlsx", 200 },
        { "auditor", "GET", "/api/findings/export.xlsx", 200 },
        // Reports and extensions: the unit's liaison only.
        { "auditor", "POST", "/api/findings/{jyj}/extensions", 403 },
        { "supervisor", "POST", "/api/findings/{jyj}/extensions", 403 },
        { "kjj", "POST", "/api/findings/{jyj}/extensions", 404 },
        { "auditor", "POST", "/api/findings/{jyj}/reports", 403 },
        { "auditor", "POST", "/api/findings/{jyj}/reports/1/withdraw", 403 },
        { "supervisor", "POST", "/api/findings/{jyj}/reports/1/withdraw", 403 },
        { "kjj", "POST", "/api/findings/{jyj}/reports/1/withdraw", 404 },
        // Comments: both sides write, the supervisor reads, other units see nothing.
        { "anonymous", "GET", "/api/findings/{jyj}/comments", 401 },
        { "supervisor", "GET", "/api/findings/{jyj}/comments", 200 },
        { "kjj", "GET", "/api/findings/{jyj}/comments", 404 },
        { "supervisor", "POST", "/api/findings/{jyj}/comments", 403 },
        { "kjj", "POST", "/api/findings/{jyj}/comments", 404 },
        { "jyj", "POST", "/api/findings/{jyj}/comments", 201 },
        { "auditor", "POST", "/api/findings/{jyj}/comments", 201 },
        { "jyj", "GET", "/api/findings/{draft}/comments", 404 },
        // Inspections: staff read, auditors record.
        { "anonymous", "GET", "/api/inspections", 401 },
        { "auditor", "GET", "/api/inspections", 200 },
        { "supervisor", "GET", "/api/inspections", 200 },
        { "jyj", "GET", "/api/inspections", 403 },
        { "supervisor", "POST", "/api/inspections", 403 },
        { "auditor", "POST", "/api/inspections", 201 },
        // Units and contacts, users, categories: supervisors manage; everyone reads units (a liaison its own) and categories.
        { "jyj", "GET", "/api/units", 200 },
        { "jyj", "GET", "/api/units/{kjjUnit}", 404 },
        { "auditor", "GET", "/api/units/{kjjUnit}", 200 },
        { "auditor", "POST", "/api/units", 403 },
        { "jyj", "POST", "/api/units", 403 },
        { "supervisor", "POST", "/api/units", 201 },
        { "supervisor", "PUT", "/api/units/{kjjUnit}", 200 },
        { "auditor", "PUT", "/api/units/{kjjUnit}", 403 },
        { "anonymous", "GET", "/api/users", 401 },
        { "auditor", "GET", "/api/users", 403 },
        { "jyj", "GET", "/api/users", 403 },
        { "supervisor", "GET", "/api/users", 200 },
        { "jyj", "GET", "/api/categories", 200 },
        { "auditor", "POST", "/api/categories", 403 },
        { "supervisor", "POST", "/api/categories", 201 },
        // Dashboards for every role; health and the OpenAPI document for anyone.
        { "anonymous", "GET", "/api/dashboard", 401 },
        { "auditor", "GET", "/api/dashboard", 200 },
        { "supervisor", "GET", "/api/dashboard", 200 },
        { "jyj", "GET", "/api/dashboard", 200 },
        { "anonymous", "GET", "/health", 200 },
        { "anonymous", "GET", "/openapi/v1.json", 200 },
        // Pages need a signed-in user: anonymous is sent to the sign-in page.
        { "anonymous", "GET", "/findings", 302 },
        { "anonymous", "GET", "/dashboard", 302 },
        { "anonymous", "GET", "/todo", 302 },
        // Every role's home is its to-do list.
        { "auditor", "GET", "/todo", 200 },
        { "supervisor", "GET", "/todo", 200 },
        { "jyj", "GET", "/todo", 200 },
        // The ledger and the forms whose drop-downs it shares are the staff's; a liaison never sees those lists.
        { "auditor", "GET", "/findings", 200 },
        { "supervisor", "GET", "/findings", 200 },
        { "jyj", "GET", "/findings", 403 },
        { "auditor", "GET", "/findings/new", 200 },
        { "supervisor", "GET", "/users", 200 },
        // Templates are the supervisors' (their form posts need the antiforgery token: see below).
        { "anonymous", "GET", "/templates", 302 },
        { "auditor", "GET", "/templates", 403 },
        { "jyj", "GET", "/templates", 403 },
        { "supervisor", "GET", "/templates", 200 },
        { "supervisor", "GET", "/templates?t=notice/notice", 200 },
        { "auditor", "POST", "/templates?handler=Save", 403 },
        // The audit trail check reads every entry: the supervisors'.
        { "anonymous", "GET", "/audit?verify=true", 302 },
        { "auditor", "GET", "/audit?verify=true", 403 },
        { "jyj", "GET", "/audit?verify=true", 403 },
        { "supervisor", "GET", "/audit?verify=true", 200 },
        // 运行状态 and the outbox's figures: the supervisors'.
        { "anonymous", "GET", "/status", 302 },
        { "auditor", "GET", "/status", 403 },
        { "jyj", "GET", "/status", 403 },
        { "supervisor", "GET", "/status", 200 },
        // The demonstration clock and the workflow pages: the supervisors'.
        { "auditor", "POST", "/api/workflows/demo-clock", 403 },
        { "jyj", "POST", "/api/workflows/demo-clock", 403 },
        { "jyj", "GET", "/workflows", 403 },
    };

    /// <summary>The matrix's clients send the antiforgery header; a supervisor's template form posts without it are refused.</summary>
    [Theory]
    [InlineData("/templates?handler=Preview")]
    [InlineData("/templates?handler=Save")]
    public async Task Template_form_posts_without_the_antiforgery_token_are_refused(string path)
    {
        var supervisor = await app.ClientAsync("supervisor", antiforgery: false);
        using var response = await supervisor.PostAsync(path, JsonContent.Create(new { }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static readonly SemaphoreSlim EvidenceGate = new(1, 1);
    private static Guid? s_wjwEvidence;

    /// <summary>An evidence file of a 卫健委 finding, submitted once by its liaison for the rows that need one.</summary>
    private async Task<Guid> WjwEvidenceAsync()
    {
        await EvidenceGate.WaitAsync();
        try
        {
            if (s_wjwEvidence is { } known)
                return known;
            var pdf = new byte[1024];
            "%PDF-1.4"u8.CopyTo(pdf);
            var file = new ByteArrayContent(pdf);
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
            var finding = await app.FindingOfAsync("卫健委");
            using var response = await (await app.As("wjw")).PostAsync($"/api/findings/{finding}/reports",
                new MultipartFormDataContent { { new StringContent("已整改"), "measures" }, { file, "files", "证明.pdf" } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var report = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            return (s_wjwEvidence = report.GetProperty("evidence")[0].GetProperty("id").GetGuid()).Value;
        }
        finally
        {
            EvidenceGate.Release();
        }
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Role_and_endpoint(string user, string method, string path, int expected)
    {
        var jyjUnit = await app.UnitIdAsync("教育局");
        var kjjUnit = await app.UnitIdAsync("科技局");
        var url = path
            .Replace("{jyj}", (await app.FindingOfAsync("教育局")).ToString(CultureInfo.InvariantCulture))
            .Replace("{draft}", (await app.FindingOfAsync("医保局", FindingStatus.Draft)).ToString(CultureInfo.InvariantCulture))
            .Replace("{kjjUnit}", kjjUnit.ToString(CultureInfo.InvariantCulture));
        if (path.Contains("{wjwEvidence}", StringComparison.Ordinal))
            url = url.Replace("{wjwEvidence}", (await WjwEvidenceAsync()).ToString("D", CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var inspectionId = await app.WithDbAsync(db => Task.FromResult(db.Set<Rectify.Inspections.Inspection>().First().Id));
        var categoryId = await app.WithDbAsync(db => Task.FromResult(db.Set<Rectify.Categories.Category>().First().Id));
        var unique = Guid.NewGuid().ToString("N")[..8];
        object? body = (method, path) switch
        {
            ("POST" or "PUT", "/api/findings" or "/api/findings/{draft}") => new { inspectionId, unitId = jyjUnit, categoryId, location = "政务公开-规划计划", description = "未公开本年度工作计划", requirement = "公开", severity = "Normal", deadline = "2026-03-20" },
            ("POST", "/api/inspections") => new { title = $"专项检查 {unique}", kind = "SpecialInspection", periodStart = "2026-02-01", periodEnd = "2026-02-28" },
            ("POST", "/api/units") => new { name = $"测试单位{unique}", kind = "Department", leader = new { name = "甲" }, liaison = new { name = "乙" } },
            ("PUT", "/api/units/{kjjUnit}") => new { name = "科技局", aliases = "区科技局", kind = "Department", sortOrder = 2, leader = new { name = "陈志强", title = "局长" }, liaison = new { name = "赵敏", email = "kjj@example.gov.cn" } },
            ("POST", "/api/categories") => new { name = $"类别{unique}", nameEn = "Test" },
            ("POST", _) when path.EndsWith("/review", StringComparison.Ordinal) => new { accept = true },
            ("POST", _) when path.EndsWith("/decision", StringComparison.Ordinal) => new { approve = true },
            ("POST", _) when path.EndsWith("/extensions", StringComparison.Ordinal) => new { newDeadline = "2026-06-30", reason = "需要更多时间" },
            ("POST", _) when path.EndsWith("/comments", StringComparison.Ordinal) => new { body = "请补充截图" },
            _ => null,
        };
        var client = await app.As(user);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (path.EndsWith("/reports", StringComparison.Ordinal))
            request.Content = new MultipartFormDataContent { { new StringContent("措施"), "measures" } };
        else if (body is not null)
            request.Content = JsonContent.Create(body, options: RectifyWebFactory.Json);
        else if (method == "POST")
            request.Content = JsonContent.Create(new { });
        using var response = await client.SendAsync(request);
        Assert.True((int)response.StatusCode == expected,
            $"{user} {method} {url}: expected {expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (expected == 302)
            Assert.Contains("/login?ReturnUrl=", response.Headers.Location?.ToString());
    }
}
