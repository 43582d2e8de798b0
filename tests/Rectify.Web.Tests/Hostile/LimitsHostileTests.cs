using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Notices.Spreadsheets;
using Rectify.Web.Security;

namespace Rectify.Web.Tests.Hostile;

/// <summary>
/// Oversized bodies and free text: small limits for sign-in and JSON, the upload limit only on upload routes, and a
/// maximum length for every free-text field, refused before anything is stored.
/// </summary>
public sealed class LimitsHostileTests(LimitsHostileTests.App app) : IClassFixture<LimitsHostileTests.App>
{
    public sealed class App : HostileApp
    {
        protected override IDictionary<string, string?> Extra => new Dictionary<string, string?> { ["Evidence:MaxFileBytes"] = (512 * 1024).ToString(CultureInfo.InvariantCulture) };
    }

    private static StringContent Json(int bytes) =>
        new("{\"userName\":\"" + new string('a', bytes) + "\",\"password\":\"x\"}", Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_oversized_anonymous_sign_in_is_refused_unread()
    {
        var response = await HostileApp.PostAskingFirstAsync(app.Raw(), "/api/auth/login", Json(200 * 1024));
        await HostileApp.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request.too_large");
        // The page's form too, with its genuine antiforgery token.
        var browser = app.Raw(antiforgery: false);
        var token = Regex.Match(await browser.GetStringAsync("/login"), "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        StringContent Form(int length) => new($"__RequestVerificationToken={Uri.EscapeDataString(token)}&Password=x&UserName=" + new string('a', length),
            Encoding.UTF8, "application/x-www-form-urlencoded");
        // Cut off at the limit while the token is read from the form: refused as a bad request, never signed in or parsed whole.
        var page = await browser.PostAsync("/login", Form(200 * 1024));
        Assert.True(page.StatusCode is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest, $"{(int)page.StatusCode}");
        // The same form, small, is read (and answered with the page's sign-in error).
        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsync("/login", Form(20))).StatusCode);
    }

    [Fact]
    public async Task An_oversized_json_body_is_refused_but_an_upload_route_takes_a_large_report()
    {
        var auditor = await app.SignedInAsync("auditor");
        var response = await HostileApp.PostAskingFirstAsync(auditor, "/api/findings", new StringContent("{\"description\":\"" + new string('a', (int)RequestLimits.DefaultBytes) + "\"}", Encoding.UTF8, "application/json"));
        await HostileApp.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request.too_large");

        // 3 files of 500 KB: larger than the JSON limit, within the evidence limit of the report route.
        var liaison = await app.SignedInAsync("kjj");
        var finding = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Unit!.Name == "科技局" && f.Status == FindingStatus.Assigned).Select(f => f.Id).FirstAsync());
        var form = new MultipartFormDataContent { { new StringContent("已整改"), "measures" } };
        for (var i = 0; i < 3; i++)
        {
            var pdf = new byte[500 * 1024];
            "%PDF-1.4"u8.CopyTo(pdf);
            var file = new ByteArrayContent(pdf);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            form.Add(file, "files", $"证明{i}.pdf");
        }
        var submitted = await liaison.PostAsync($"/api/findings/{finding}/reports", form);
        Assert.True(submitted.StatusCode == HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_import_larger_than_its_limit_is_refused()
    {
        var auditor = await app.SignedInAsync("auditor");
        var form = new MultipartFormDataContent
        {
            { new StringContent("超大导入"), "title" }, { new StringContent("ThirdPartyCheck"), "kind" },
            { new StringContent("2026-03-01"), "periodStart" }, { new StringContent("2026-03-31"), "periodEnd" },
            { new ByteArrayContent(new byte[ImportLimits.MaxRequestBytes + 1024]), "file", "大.xlsx" },
        };
        await HostileApp.ProblemAsync(await HostileApp.PostAskingFirstAsync(auditor, "/api/notices/import", form), HttpStatusCode.RequestEntityTooLarge, "request.too_large");
        Assert.Equal(0, app.Services.GetRequiredService<ImportJobs>().Count);
    }

    [Fact]
    public async Task Free_text_beyond_its_maximum_is_refused_before_anything_is_stored()
    {
        var liaison = await app.SignedInAsync("wjw");
        var finding = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Unit!.Name == "卫健委" && f.Status == FindingStatus.Assigned).Select(f => f.Id).FirstAsync());
        var deadline = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == finding).Select(f => f.Deadline).SingleAsync());
        var reason = new string('理', 100_000);
        var problem = await HostileApp.ProblemAsync(await liaison.PostAsJsonAsync($"/api/findings/{finding}/extensions", new { newDeadline = deadline.AddDays(10), reason }),
            HttpStatusCode.BadRequest, "text.too_long");
        Assert.Contains("延期理由", problem.GetProperty("title").GetString());
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<ExtensionRequest>().CountAsync(e => e.FindingId == finding)));

        var form = new MultipartFormDataContent { { new StringContent(new string('措', 10_001)), "measures" } };
        await HostileApp.ProblemAsync(await liaison.PostAsync($"/api/findings/{finding}/reports", form), HttpStatusCode.BadRequest, "text.too_long");
        Assert.Equal(FindingStatus.Assigned, await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == finding).Select(f => f.Status).SingleAsync()));
    }

    [Fact]
    public async Task A_long_deadline_reason_or_bulk_comment_is_refused_before_any_finding_changes()
    {
        var auditor = await app.SignedInAsync("auditor");
        var finding = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Unit!.Name == "住交局" && f.Status == FindingStatus.Assigned)
            .Select(f => new { f.Id, f.InspectionId, f.UnitId, f.CategoryId, f.Location, f.Description, f.Requirement, f.Deadline }).FirstAsync());
        // 100,000 characters: well within the 1 MB body, 50 times the field's maximum.
        var reason = new string('因', 100_000);
        var later = finding.Deadline.AddDays(30);

        var edit = await auditor.PutAsJsonAsync($"/api/findings/{finding.Id}", new
        {
            finding.InspectionId, finding.UnitId, finding.CategoryId, finding.Location, finding.Description, finding.Requirement,
            severity = "Normal", deadline = later, deadlineReason = reason,
        });
        Assert.Contains("期限调整理由", (await HostileApp.ProblemAsync(edit, HttpStatusCode.BadRequest, "text.too_long")).GetProperty("title").GetString());
        // A bulk action refuses the whole request once, rather than each finding (and never stores it).
        await HostileApp.ProblemAsync(await auditor.PostAsJsonAsync("/api/findings/bulk/deadline", new { ids = new[] { finding.Id }, deadline = later, reason }),
            HttpStatusCode.BadRequest, "text.too_long");
        await HostileApp.ProblemAsync(await auditor.PostAsJsonAsync("/api/findings/bulk/return", new { ids = new[] { finding.Id }, comment = new string('退', 100_000) }),
            HttpStatusCode.BadRequest, "text.too_long");

        var stored = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == finding.Id).Select(f => new { f.Deadline, f.DeadlineReason }).SingleAsync());
        Assert.Equal(finding.Deadline, stored.Deadline);
        Assert.True(stored.DeadlineReason.Length <= 2_000, $"{stored.DeadlineReason.Length} characters stored");
    }

    [Fact]
    public async Task A_json_body_missing_a_field_or_nulling_it_is_a_bad_request_not_a_server_error()
    {
        var auditor = await app.SignedInAsync("auditor");
        // A notice draft without its number, addressees and inspections; a finding whose location is null.
        await HostileApp.ProblemAsync(await auditor.PostAsJsonAsync("/api/notices", new { title = "通报", office = "区政务公开办", date = "2026-03-31", periodStart = "2026-03-01", periodEnd = "2026-03-31" }),
            HttpStatusCode.BadRequest, "request.invalid");
        var finding = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Status == FindingStatus.Draft)
            .Select(f => new { f.Id, f.InspectionId, f.UnitId, f.CategoryId, f.Description, f.Requirement, f.Deadline }).FirstAsync());
        await HostileApp.ProblemAsync(await auditor.PutAsJsonAsync($"/api/findings/{finding.Id}", new
        {
            finding.InspectionId, finding.UnitId, finding.CategoryId, location = (string?)null, finding.Description, finding.Requirement, severity = "Normal", finding.Deadline,
        }), HttpStatusCode.BadRequest, "request.invalid");
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<Rectify.Notices.Notice>().CountAsync()));
    }
}
