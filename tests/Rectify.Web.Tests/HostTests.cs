using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Categories;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Testing;
using Rectify.Units;
using Rectify.Users;
using Rectify.Web.Demo;

namespace Rectify.Web.Tests;

/// <summary>The host itself: demo data, sign-in and lockout, account deactivation, OpenAPI, health, language, problem details.</summary>
public sealed class HostTests(WebFixture app) : IClassFixture<WebFixture>
{
    [Fact]
    public async Task Demo_data_is_seeded_once_into_the_data_directory()
    {
        // The SQLite file is the data folder's; with PostgreSQL configured the data goes to the server and no file is made.
        Assert.Equal(TestPostgres.Server is null, File.Exists(Path.Combine(app.DataDirectory, "rectify.db")));
        async Task<(int, int, int, int, int)> Counts() => await app.WithDbAsync(async db => (
            await db.Set<Unit>().CountAsync(), await db.Set<Category>().CountAsync(), await db.Users.CountAsync(u => DemoData.Logins.Select(l => l.UserName).Contains(u.UserName!)),
            await db.Set<Inspection>().CountAsync(), await db.Set<Finding>().CountAsync()));
        var first = await Counts();
        Assert.Equal((12, 8, 14, 1, 15), first);
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DemoData>().SeedAsync();
        Assert.Equal(first, await Counts());

        await app.WithDbAsync(async db =>
        {
            var units = await db.Set<Unit>().Select(u => u.Name).ToListAsync();
            Assert.Superset(new HashSet<string> { "教育局", "科技局", "住交局", "卫健委", "马塘街道", "发改委", "人社局", "财政局", "白马街道", "中南街道", "市场局", "医保局" }, units.ToHashSet());
            var education = await db.Set<Unit>().SingleAsync(u => u.Name == "教育局");
            Assert.Equal(("王建国", "李晓燕", "jyj@example.gov.cn"), (education.Leader.Name, education.Liaison.Name, education.Liaison.Email));
            Assert.Equal("主动公开 政策解读 平台建设 互动服务 信息审核 政务新媒体 12345热线 重点工作落实",
                string.Join(" ", await db.Set<Category>().OrderBy(c => c.SortOrder).Select(c => c.Name).ToListAsync()));
            Assert.Equal("2026年10月政务公开第三方检查", (await db.Set<Inspection>().SingleAsync()).Title);
            var statuses = await db.Set<Finding>().GroupBy(f => f.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
            Assert.Equal(2, statuses[FindingStatus.Draft]);
            Assert.Equal(13, statuses.Where(s => s.Key != FindingStatus.Draft).Sum(s => s.Value));
            // Deadlines are counted in working days from the (fake) start date, Mon 2026-03-02: never on a weekend.
            Assert.All(await db.Set<Finding>().Select(f => f.Deadline).ToListAsync(), d => Assert.True(d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)));
            var liaison = await db.Users.SingleAsync(u => u.UserName == "jyj");
            Assert.Equal((UserRole.UnitLiaison, education.Id), (liaison.Role, liaison.UnitId));
            return 0;
        });
        Assert.Equal(14, DemoData.Logins.Count);
    }

    [Fact]
    public async Task Sign_in_answers_who_i_am_and_locks_out_after_five_failures()
    {
        var me = await (await app.As("jyj")).GetFromJsonAsync<JsonElement>("/api/auth/me");
        Assert.Equal(("李晓燕", "UnitLiaison", await app.UnitIdAsync("教育局")), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString(), me.GetProperty("unitId").GetInt32()));

        var client = await app.ClientAsync();
        // A locked account answers as a wrong password does (no name enumeration, Hostile/SignInHostileTests).
        for (var i = 0; i < 5; i++)
            await WebFixture.ProblemAsync(await client.PostAsJsonAsync("/api/auth/login", new { userName = "ybj", password = "wrong-password" }), HttpStatusCode.BadRequest,
                "auth.invalid_credentials");
        // Even the right password is refused while locked out, until a supervisor resets the password.
        await WebFixture.ProblemAsync(await client.PostAsJsonAsync("/api/auth/login", new { userName = "ybj", password = DemoData.Password }), HttpStatusCode.BadRequest, "auth.invalid_credentials");
        var locked = await app.WithDbAsync(db => db.Users.SingleAsync(u => u.UserName == "ybj"));
        Assert.True(locked.LockoutEnd > DateTimeOffset.UtcNow.AddMinutes(14));
        Assert.Equal(HttpStatusCode.NoContent, (await WebFixture.PostJson(await app.As("supervisor"), $"/api/users/{locked.Id}/password", new { password = DemoData.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/auth/login", new { userName = "ybj", password = DemoData.Password })).StatusCode);
    }

    [Fact]
    public async Task A_deactivated_account_cannot_sign_in_and_a_new_liaison_needs_a_unit()
    {
        var supervisor = await app.As("supervisor");
        await WebFixture.ProblemAsync(await WebFixture.PostJson(supervisor, "/api/users",
            new { userName = "newliaison", displayName = "新联络人", email = "new@example.gov.cn", role = "UnitLiaison", password = "Rectify#2026" }), HttpStatusCode.BadRequest, "user.unit_required");
        var created = await WebFixture.JsonAsync(await WebFixture.PostJson(supervisor, "/api/users",
            new { userName = "newliaison", displayName = "新联络人", email = "new@example.gov.cn", role = "UnitLiaison", unitId = await app.UnitIdAsync("财政局"), password = "Rectify#2026" }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await (await app.ClientAsync()).PostAsJsonAsync("/api/auth/login", new { userName = "newliaison", password = "Rectify#2026" })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await WebFixture.PostJson(supervisor, $"/api/users/{id}/active", new { active = false })).StatusCode);
        await WebFixture.ProblemAsync(await (await app.ClientAsync()).PostAsJsonAsync("/api/auth/login", new { userName = "newliaison", password = "Rectify#2026" }), HttpStatusCode.BadRequest, "auth.invalid_credentials");
        Assert.Equal(HttpStatusCode.NoContent, (await WebFixture.PostJson(supervisor, $"/api/users/{id}/active", new { active = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await WebFixture.PostJson(supervisor, $"/api/users/{id}/password", new { password = "Another#2026" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await (await app.ClientAsync()).PostAsJsonAsync("/api/auth/login", new { userName = "newliaison", password = "Another#2026" })).StatusCode);
        var audit = await app.WithDbAsync(db => db.Set<Auditing.AuditEvent>().Where(a => a.EntityId == id).Select(a => a.Action).ToListAsync());
        Assert.Contains("user.created", audit);
        Assert.Contains("user.deactivated", audit);
        Assert.Contains("user.password_reset", audit);
        Assert.DoesNotContain(await app.WithDbAsync(db => db.Set<Auditing.AuditEvent>().Where(a => a.EntityId == id).Select(a => a.After).ToListAsync()), a => a != null && a.Contains("PasswordHash"));
    }

    [Fact]
    public async Task OpenApi_document_describes_the_api_and_health_checks_the_database()
    {
        var document = await (await app.As("anonymous")).GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/api/findings", "/api/findings/{id}", "/api/findings/{id}/reports", "/api/findings/{id}/reports/{reportId}/review",
                     "/api/findings/{id}/extensions", "/api/evidence/{id}", "/api/inspections", "/api/units", "/api/users", "/api/categories", "/api/dashboard" })
            Assert.Contains(path, paths);
        using var health = await (await app.As("anonymous")).GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Problem_details_speak_the_chosen_language_and_culture_switch_stays_local()
    {
        var client = await app.ClientAsync("kjj");
        var zh = await WebFixture.ProblemAsync(await client.GetAsync("/api/findings/999999"), HttpStatusCode.NotFound, "finding.not_found");
        Assert.Equal("未找到该记录，或您无权查看。", zh.GetProperty("title").GetString());

        using var switched = await client.GetAsync("/culture?c=en&returnUrl=/findings");
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Equal("/findings", switched.Headers.Location?.ToString());
        var en = await WebFixture.ProblemAsync(await client.GetAsync("/api/findings/999999"), HttpStatusCode.NotFound, "finding.not_found");
        Assert.Equal("Not found, or you are not allowed to see it.", en.GetProperty("title").GetString());

        using var offsite = await client.GetAsync("/culture?c=zh-CN&returnUrl=https://evil.example.com/");
        Assert.Equal("/", offsite.Headers.Location?.ToString());
        await WebFixture.ProblemAsync(await client.GetAsync("/api/no-such-thing"), HttpStatusCode.NotFound, "http.404");
    }
}
