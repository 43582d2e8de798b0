using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Rectify.Findings;
using Rectify.Web.Demo;

namespace Rectify.Web.Tests;

/// <summary>
/// Two app nodes on one database and one data folder, as behind a load balancer: what one node issues (the sign-in
/// cookie, the antiforgery token) the other accepts, because the data-protection keys live in the database.
/// </summary>
public sealed class TwoNodeTests
{
    [Fact]
    public async Task A_sign_in_and_an_antiforgery_token_from_one_node_are_accepted_by_the_other()
    {
        await using var nodeA = new RectifyWebFactory();
        var a = nodeA.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var cookies = new Dictionary<string, string>();
        Keep(cookies, await a.PostAsJsonAsync("/api/auth/login", new { userName = "zjj", password = DemoData.Password }), HttpStatusCode.NoContent);
        a.DefaultRequestHeaders.Add("Cookie", Header(cookies));
        var antiforgery = await a.GetAsync("/api/auth/antiforgery");
        Keep(cookies, antiforgery, HttpStatusCode.OK);
        var token = (await antiforgery.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        await using var nodeB = new SecondNode(nodeA);
        var b = nodeB.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        b.DefaultRequestHeaders.Add("Cookie", Header(cookies));
        var me = await b.GetFromJsonAsync<JsonElement>("/api/auth/me");
        Assert.Equal("UnitLiaison", me.GetProperty("role").GetString());
        var unitId = me.GetProperty("unitId").GetInt32();
        var findingId = await nodeB.WithDbAsync(db => db.Set<Finding>()
            .Where(f => f.UnitId == unitId && f.Status == FindingStatus.Assigned).OrderBy(f => f.Id).Select(f => f.Id).FirstAsync());

        // A form post to node B carrying node A's antiforgery token and cookie.
        b.DefaultRequestHeaders.Add("X-XSRF-TOKEN", token);
        var submitted = await b.PostAsync($"/api/findings/{findingId}/reports", new MultipartFormDataContent { { new StringContent("已在两个节点间提交整改报告"), "measures" } });
        Assert.True(submitted.StatusCode == HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
        Assert.Equal(FindingStatus.Submitted, await nodeA.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == findingId).Select(f => f.Status).SingleAsync()));
    }

    private sealed class SecondNode(RectifyWebFactory first) : RectifyWebFactory(first.DataDirectory);

    private static void Keep(Dictionary<string, string> cookies, HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        foreach (var cookie in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = cookie.Split(';')[0];
            var at = pair.IndexOf('=');
            cookies[pair[..at]] = pair[(at + 1)..];
        }
    }

    private static string Header(Dictionary<string, string> cookies) => string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}"));
}
