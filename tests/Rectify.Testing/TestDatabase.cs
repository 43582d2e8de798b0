using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Rectify.Auditing;
using Rectify.Data;

namespace Rectify.Testing;

/// <summary>
/// A real database built by the checked-in migrations, with the Core services wired on a
/// <see cref="FakeTimeProvider"/>: a SQLite file in a fresh temporary folder, or, when RECTIFY_TEST_POSTGRES holds a
/// server connection string (the test command sets it for its second pass), a fresh PostgreSQL database.
/// Add a module's services with <c>configure</c>; <c>migrate: false</c> leaves the database empty for a test that
/// migrates it itself.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public string Directory { get; }
    public FakeTimeProvider Clock { get; }
    public ServiceProvider Services { get; }
    public IConfiguration Configuration { get; }

    private TestDatabase(string directory, FakeTimeProvider clock, ServiceProvider services, IConfiguration configuration)
    {
        Directory = directory;
        Clock = clock;
        Services = services;
        Configuration = configuration;
    }

    /// <summary>Local time of the start clock: Monday 2026-03-02 09:00 in Asia/Shanghai unless given.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    public static async Task<TestDatabase> CreateAsync(
        Action<IServiceCollection, IConfiguration>? configure = null,
        IDictionary<string, string?>? settings = null,
        DateTimeOffset? start = null,
        string? directory = null,
        bool migrate = true)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "rectify-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Rectify:DataDirectory"] = directory })
            .AddInMemoryCollection(TestPostgres.SettingsFor(directory))
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var clock = new FakeTimeProvider(start ?? DefaultStart);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(clock);
        services.AddRectifyCore(configuration, directory);
        // The schema is every module's: the migrations build all tables, so the model holds them all too.
        services.AddRectifyDbModule(Workflows.WorkflowsModule.Database);
        services.AddRectifyDbModule(Mail.MailModule.Database);
        services.AddRectifyDbModule(Notices.NoticesModule.Database);
        configure?.Invoke(services, configuration);
        var provider = services.BuildServiceProvider();
        if (migrate)
            await DatabaseInitializer.MigrateAsync(provider);
        return new TestDatabase(directory, clock, provider, configuration);
    }

    /// <summary>A new scope acting as <paramref name="actor"/> (the system when null).</summary>
    public AsyncServiceScope Scope(Actor? actor = null)
    {
        var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorContext>().Actor = actor ?? Actor.System;
        return scope;
    }

    public async Task<T> WithDbAsync<T>(Func<RectifyDb, Task<T>> work)
    {
        await using var scope = Scope();
        return await work(scope.ServiceProvider.GetRequiredService<RectifyDb>());
    }

    public bool IsPostgres => Configuration["Database:Provider"] == nameof(DatabaseProvider.Postgres);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (IsPostgres)
            await TestPostgres.DropAsync(Directory);
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
