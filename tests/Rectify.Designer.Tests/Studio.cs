using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Web.Tests;
using Rectify.Workflows;
using Rectify.Workflows.Timers;

namespace Rectify.Designer.Tests;

/// <summary>What the designer tests do through the app: get a Studio token the way a page does, call /elsa/api with it, make findings, move the clock.</summary>
public static partial class Studio
{
    public const string DefaultDefinition = "rectification";

    /// <summary>Any page but the sign-in page: where a sign-in lands.</summary>
    public static readonly Regex SignedIn = new("^(?!.*/login)");

    /// <summary>The access token a host page hands to the Studio element, read from the page a signed-in user opens.</summary>
    public static async Task<string> TokenFromPageAsync(HttpClient signedIn, string path)
    {
        var response = await signedIn.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        return AccessToken().Match(html) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"No access-token on {path}");
    }

    public static Task<string> DesignerTokenAsync(HttpClient supervisor) => TokenFromPageAsync(supervisor, $"/designer/workflows/definitions/{DefaultDefinition}/edit");

    /// <summary>A client of /elsa/api/ carrying the token as the Studio does (no cookies).</summary>
    public static HttpClient Elsa(RectifyWebFactory app, string? token)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        client.BaseAddress = new Uri(client.BaseAddress!, "/elsa/api/");
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<JsonNode> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient elsa, string path) => await JsonAsync(await elsa.GetAsync(path));

    public static async Task<JsonNode> PostJsonAsync(this HttpClient elsa, string path, object body, HttpStatusCode expected = HttpStatusCode.OK) =>
        await JsonAsync(await elsa.PostAsJsonAsync(path, body), expected);

    /// <summary>Saves (or publishes) a definition as the Studio does: {model, publish}.</summary>
    public static Task<JsonNode> SaveAsync(this HttpClient elsa, JsonNode model, bool publish, HttpStatusCode expected = HttpStatusCode.OK) =>
        elsa.PostJsonAsync("workflow-definitions", new JsonObject { ["model"] = model.DeepClone(), ["publish"] = publish }, expected);

    /// <summary>Records and issues a finding of 教育局 through the API as the auditor; its workflow starts on issue.</summary>
    public static async Task<int> IssueFindingAsync(RectifyWebFactory app, HttpClient auditor, DateOnly deadline, string description)
    {
        var (inspection, unit, category) = await app.WithDbAsync(async db => (
            await db.Set<Inspections.Inspection>().Select(i => i.Id).FirstAsync(),
            await db.Set<Units.Unit>().Where(u => u.Name == "教育局").Select(u => u.Id).SingleAsync(),
            await db.Set<Categories.Category>().Select(c => c.Id).FirstAsync()));
        var created = await JsonAsync(await auditor.PostAsJsonAsync("/api/findings", new FindingInput
        {
            InspectionId = inspection, UnitId = unit, CategoryId = category, Location = "基层政务公开领域-义务教育-招生计划",
            Description = description, Requirement = "及时更新本年度信息", Deadline = deadline,
        }, RectifyWebFactory.Json), HttpStatusCode.Created);
        var id = created["id"]!.GetValue<int>();
        await JsonAsync(await auditor.PostAsync($"/api/findings/{id}/issue", null));
        return id;
    }

    public static Task<WorkflowInstance> InstanceOfAsync(RectifyWebFactory app, int findingId) =>
        app.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().SingleAsync(i => i.FindingId == findingId));

    /// <summary>Moves the fake clock to <paramref name="until"/> in steps and fires the timers due at each step, as the dispatcher would.</summary>
    public static async Task AdvanceAsync(RectifyWebFactory app, DateTimeOffset until)
    {
        var dispatcher = app.Services.GetRequiredService<TimerDispatcher>();
        while (app.Clock.GetUtcNow() < until)
        {
            var step = TimeSpan.FromHours(6);
            app.Clock.SetUtcNow(app.Clock.GetUtcNow() + step < until ? app.Clock.GetUtcNow() + step : until);
            // The app's own dispatcher (its background service) may hold some due timers: wait until all have fired.
            var now = app.Clock.GetUtcNow();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (await dispatcher.FireDueAsync() > 0 || await app.WithDbAsync(db => db.Set<WorkflowTimer>().AnyAsync(t => t.DueAt <= now)))
            {
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), $"Timers due at {now} were not fired.");
                await Task.Delay(50);
            }
        }
    }

    /// <summary>A connection as the Studio saves it.</summary>
    public static JsonObject Connection(string from, string port, string to) => new()
    {
        ["source"] = new JsonObject { ["activity"] = from, ["port"] = port },
        ["target"] = new JsonObject { ["activity"] = to, ["port"] = "In" },
        ["vertices"] = new JsonArray(),
    };

    /// <summary>An activity input as the Studio saves it: {typeName, expression {type, value}}.</summary>
    public static JsonObject Wrapped(string? typeName, string type, string value) => new()
    {
        ["typeName"] = typeName, ["expression"] = new JsonObject { ["type"] = type, ["value"] = value },
    };

    public static string ReadSample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name));

    [GeneratedRegex("access-token=\"([^\"]+)\"")]
    private static partial Regex AccessToken();
}
