using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rectify.Findings;
using Rectify.Web.Demo;
using Rectify.Workflows;

namespace Rectify.Web.Tests.Hostile;

/// <summary>
/// The app served by Kestrel on a loopback port, as an attacker meets it: real request-size limits and connection
/// addresses (the in-memory server has neither), with extra <see cref="Extra"/> settings.
/// </summary>
public class HostileApp : RectifyWebFactory, IAsyncLifetime
{
    public string BaseUrl { get; private set; } = "";

    protected virtual IDictionary<string, string?> Extra => new Dictionary<string, string?>();

    protected override IDictionary<string, string?> Settings => Extra;

    public Task InitializeAsync()
    {
        UseKestrel(0);
        StartServer();
        BaseUrl = ClientOptions.BaseAddress.ToString().TrimEnd('/');
        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>A client of the Kestrel server with its own cookies; with <paramref name="antiforgery"/> it sends the token as the pages do.</summary>
    public HttpClient Raw(bool antiforgery = true, System.Net.CookieContainer? cookies = null)
    {
        // A request that asks first (Expect: 100-continue) waits for the server's answer rather than sending its body after 1 s.
        HttpMessageHandler handler = new SocketsHttpHandler
        {
            CookieContainer = cookies ?? new System.Net.CookieContainer(), AllowAutoRedirect = false, Expect100ContinueTimeout = TimeSpan.FromSeconds(30),
        };
        if (antiforgery)
            handler = new AntiforgeryHandler(handler);
        return new HttpClient(handler) { BaseAddress = new Uri(BaseUrl) };
    }

    /// <summary>
    /// A large body's post that asks first (Expect: 100-continue), as clients of large bodies do: a refusal by size then
    /// comes before the body is sent, so it is read, instead of racing the server's close of a connection whose body it
    /// will not read (a broken pipe on the client).
    /// </summary>
    public static Task<HttpResponseMessage> PostAskingFirstAsync(HttpClient client, string url, HttpContent content) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = content, Headers = { ExpectContinue = true } });

    public async Task<HttpClient> SignedInAsync(string user, bool antiforgery = true, System.Net.CookieContainer? cookies = null)
    {
        var client = Raw(antiforgery, cookies);
        var response = await client.PostAsJsonAsync("/api/auth/login", new { userName = user, password = DemoData.Password });
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"sign-in of {user}: {(int)response.StatusCode}");
        return client;
    }

    /// <summary>The access token a Studio host page hands its element.</summary>
    public static async Task<string> StudioTokenAsync(HttpClient signedIn, string path)
    {
        var html = await signedIn.GetStringAsync(path);
        return Regex.Match(html, "access-token=\"([^\"]+)\"") is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new Xunit.Sdk.XunitException($"No token on {path}");
    }

    public Task<string> InstanceOfAsync(string unitName) => WithDbAsync(db =>
        db.Set<WorkflowInstance>().Where(i => db.Set<Finding>().Any(f => f.Id == i.FindingId && f.Unit!.Name == unitName)).Select(i => i.Id).FirstAsync());

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code) =>
        await WebFixture.ProblemAsync(response, status, code);
}
