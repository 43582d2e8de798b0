using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Rectify.Data;
using Rectify.Testing;
using Rectify.Web.Demo;

namespace Rectify.Web.Tests;

/// <summary>
/// The whole app on a temporary data folder (its own SQLite file, or on the PostgreSQL pass its own database; evidence
/// and outbox), a fake clock starting
/// Mon 2026-03-02 09:00 Shanghai, and the demo data seeded as on a first run. Share one per test class
/// (IClassFixture) — every demo user signs in with <see cref="DemoData.Password"/>.
/// </summary>
public class RectifyWebFactory : WebApplicationFactory<Program>
{
    // The node that made the folder removes it and its database; a node sharing them leaves them to it.
    private readonly bool _ownsData;

    public RectifyWebFactory()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "rectify-web-tests", Guid.NewGuid().ToString("N"));
        _ownsData = true;
    }

    /// <summary>A second node on <paramref name="dataDirectory"/>: another factory's database and evidence.</summary>
    protected RectifyWebFactory(string dataDirectory) => DataDirectory = dataDirectory;

    public string DataDirectory { get; }
    public FakeTimeProvider Clock { get; } = new(TestDatabase.DefaultStart);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Settings a subclass adds (e.g. a smaller evidence size limit).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>The host environment; the demo data is seeded (Demo:Seed) unless a subclass says otherwise.</summary>
    protected virtual string EnvironmentName => "Testing";
    protected virtual bool SeedDemo => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(DataDirectory);
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("Rectify:DataDirectory", DataDirectory);
        if (SeedDemo)
            builder.UseSetting("Demo:Seed", "true");
        foreach (var (key, value) in TestPostgres.SettingsFor(DataDirectory))
            builder.UseSetting(key, value);
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            // Fewer PBKDF2 rounds keep the 14 demo sign-ups fast; hashing and checking work the same way.
            services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1000);
        });
    }

    /// <summary>
    /// A client signed in as a demo user (cookies kept); anonymous when <paramref name="userName"/> is null. Its unsafe
    /// requests carry the antiforgery header (<see cref="AntiforgeryHandler"/>) unless <paramref name="antiforgery"/> is false.
    /// </summary>
    public async Task<HttpClient> ClientAsync(string? userName = null, bool antiforgery = true)
    {
        var cookies = new CookieContainerHandler();
        var client = antiforgery ? CreateDefaultClient(ClientOptions.BaseAddress, new AntiforgeryHandler(), cookies) : CreateDefaultClient(ClientOptions.BaseAddress, cookies);
        if (userName is null)
            return client;
        var response = await client.PostAsJsonAsync("/api/auth/login", new { userName, password = DemoData.Password });
        if (response.StatusCode != HttpStatusCode.NoContent)
            throw new InvalidOperationException($"Sign-in of {userName} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    /// <summary>Adds the antiforgery header to every request of <paramref name="client"/> (for clients made without <see cref="AntiforgeryHandler"/>).</summary>
    public static async Task AddAntiforgeryAsync(HttpClient client)
    {
        var token = await client.GetFromJsonAsync<JsonElement>("/api/auth/antiforgery");
        client.DefaultRequestHeaders.Remove("X-XSRF-TOKEN");
        client.DefaultRequestHeaders.Add("X-XSRF-TOKEN", token.GetProperty("token").GetString());
    }

    /// <summary>Runs <paramref name="work"/> on the app's database as the system.</summary>
    public async Task<T> WithDbAsync<T>(Func<RectifyDb, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<RectifyDb>());
    }

    public Task<int> UnitIdAsync(string name) => WithDbAsync(db => db.Set<Rectify.Units.Unit>().Where(u => u.Name == name).Select(u => u.Id).SingleAsync());

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!_ownsData)
            return;
        SqliteConnection.ClearAllPools();
        TestPostgres.DropAsync(DataDirectory).GetAwaiter().GetResult();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
