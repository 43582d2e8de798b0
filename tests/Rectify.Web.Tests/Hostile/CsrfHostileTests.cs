using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Rectify.Findings;
using Rectify.Notices;

namespace Rectify.Web.Tests.Hostile;

/// <summary>
/// A same-site page making a signed-in browser post: every unsafe request a cookie authenticates needs the antiforgery
/// token, bodiless ones included; with the token the same calls work; the Studio's bearer calls need none.
/// </summary>
public sealed class CsrfHostileTests(HostileApp app) : IClassFixture<HostileApp>
{
    [Fact]
    public async Task Bodiless_posts_without_the_token_are_refused_and_change_nothing()
    {
        var forged = await app.SignedInAsync("auditor", antiforgery: false);
        var draft = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Status == FindingStatus.Draft).Select(f => f.Id).FirstAsync());
        await HostileApp.ProblemAsync(await forged.PostAsync($"/api/findings/{draft}/issue", null), HttpStatusCode.BadRequest, "antiforgery.invalid");
        await HostileApp.ProblemAsync(await forged.DeleteAsync("/api/notices/1"), HttpStatusCode.BadRequest, "antiforgery.invalid");
        await HostileApp.ProblemAsync(await forged.PostAsJsonAsync("/api/notices", new { title = "伪造的通报" }), HttpStatusCode.BadRequest, "antiforgery.invalid");
        await HostileApp.ProblemAsync(await forged.PostAsync("/api/auth/logout", null), HttpStatusCode.BadRequest, "antiforgery.invalid");
        // A page's form post without its hidden token fails the same way (a page answer, not JSON).
        var page = await forged.PostAsync("/logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);

        Assert.Equal(FindingStatus.Draft, await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == draft).Select(f => f.Status).SingleAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<Notice>().CountAsync()));
        Assert.Equal(HttpStatusCode.OK, (await forged.GetAsync("/api/auth/me")).StatusCode);

        // The same browser's own page (with the token) does it.
        var genuine = await app.SignedInAsync("auditor");
        Assert.Equal(HttpStatusCode.OK, (await genuine.PostAsync($"/api/findings/{draft}/issue", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await genuine.PostAsync("/api/auth/logout", null)).StatusCode);
    }

    [Fact]
    public async Task A_token_of_another_user_is_refused()
    {
        var liaison = await app.SignedInAsync("jyj");
        var token = (await liaison.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/auth/antiforgery")).GetProperty("token").GetString();
        var auditor = await app.SignedInAsync("auditor", antiforgery: false);
        auditor.DefaultRequestHeaders.Add("X-XSRF-TOKEN", token);
        var draft = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Status == FindingStatus.Draft).Select(f => f.Id).FirstAsync());
        await HostileApp.ProblemAsync(await auditor.PostAsync($"/api/findings/{draft}/issue", null), HttpStatusCode.BadRequest, "antiforgery.invalid");
    }
}
