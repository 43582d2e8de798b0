using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Rectify.Web.Demo;

namespace Rectify.Web.Tests.Hostile;

/// <summary>Studio tokens are bound to the user's security stamp: sign-out, deactivation and a password change revoke them at once.</summary>
public sealed class StudioTokenHostileTests(HostileApp app) : IClassFixture<HostileApp>
{
    private HttpClient Elsa(string token)
    {
        var client = app.Raw(antiforgery: false);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<(HttpClient Page, HttpClient Elsa, string Instance)> ViewerAsync(string user, string unit)
    {
        var page = await app.SignedInAsync(user);
        var instance = await app.InstanceOfAsync(unit);
        var elsa = Elsa(await HostileApp.StudioTokenAsync(page, $"/designer/workflows/instances/{instance}/view"));
        Assert.Equal(HttpStatusCode.OK, (await elsa.GetAsync($"/elsa/api/workflow-instances/{instance}")).StatusCode);
        return (page, elsa, instance);
    }

    [Fact]
    public async Task A_designer_token_stops_working_when_its_supervisor_signs_out()
    {
        var supervisor = await app.SignedInAsync("supervisor");
        var elsa = Elsa(await HostileApp.StudioTokenAsync(supervisor, "/designer/workflows/definitions/rectification/edit"));
        Assert.Equal(HttpStatusCode.OK, (await elsa.GetAsync("/elsa/api/workflow-definitions/by-definition-id/rectification")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await supervisor.PostAsync("/api/auth/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsa.GetAsync("/elsa/api/workflow-definitions/by-definition-id/rectification")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_token_stops_working_when_the_account_is_deactivated()
    {
        var (_, elsa, instance) = await ViewerAsync("zjj", "住交局");
        var id = await app.WithDbAsync(db => db.Users.Where(u => u.UserName == "zjj").Select(u => u.Id).SingleAsync());
        var admin = await app.SignedInAsync("supervisor");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/users/{id}/active", new { active = false })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsa.GetAsync($"/elsa/api/workflow-instances/{instance}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/users/{id}/active", new { active = true })).StatusCode);
        // Reactivation does not bring the old token back: the stamp has moved on.
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsa.GetAsync($"/elsa/api/workflow-instances/{instance}")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_token_stops_working_when_the_password_is_changed()
    {
        var (_, elsa, instance) = await ViewerAsync("wjw", "卫健委");
        var id = await app.WithDbAsync(db => db.Users.Where(u => u.UserName == "wjw").Select(u => u.Id).SingleAsync());
        var admin = await app.SignedInAsync("supervisor");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/users/{id}/password", new { password = DemoData.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsa.GetAsync($"/elsa/api/workflow-instances/{instance}")).StatusCode);
    }
}
