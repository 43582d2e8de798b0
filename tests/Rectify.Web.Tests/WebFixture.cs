using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rectify.Findings;

namespace Rectify.Web.Tests;

/// <summary>
/// One app per test class with the demo data, signed-in clients cached per user, and evidence limited to
/// 256 KB so the size limit is cheap to hit.
/// </summary>
public sealed class WebFixture : RectifyWebFactory
{
    public const long MaxFileBytes = 256 * 1024;
    private readonly Dictionary<string, HttpClient> _clients = [];

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Evidence:MaxFileBytes"] = MaxFileBytes.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A cached signed-in client ("anonymous" for none).</summary>
    public async Task<HttpClient> As(string user)
    {
        if (!_clients.TryGetValue(user, out var client))
            _clients[user] = client = await ClientAsync(user == "anonymous" ? null : user);
        return client;
    }

    /// <summary>The first issued finding of a demo unit, by the unit's name.</summary>
    public Task<int> FindingOfAsync(string unitName, FindingStatus status = FindingStatus.Assigned) => WithDbAsync(db =>
        db.Set<Finding>().Where(f => f.Unit!.Name == unitName && f.Status == status).OrderBy(f => f.Id).Select(f => f.Id).FirstAsync());

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 7807 answer with the given status and stable code.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await JsonAsync(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("title").GetString()));
        return body;
    }

    public static Task<HttpResponseMessage> PostJson(HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, Json);

    protected override void Dispose(bool disposing)
    {
        foreach (var client in _clients.Values)
            client.Dispose();
        base.Dispose(disposing);
    }
}
