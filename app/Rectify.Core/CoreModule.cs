using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rectify.Auditing;
using Rectify.Caching;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Time;

namespace Rectify;

public static class CoreModule
{
    /// <summary>
    /// Each provider's migrations are in an assembly of their own, which references every module: the model they
    /// were made from holds the modules' tables too.
    /// </summary>
    public const string PostgresMigrationsAssembly = "Rectify.Migrations.Postgres";

    public const string SqliteMigrationsAssembly = "Rectify.Migrations.Sqlite";

    /// <summary>
    /// How old a cached answer may be: changes saved in this process refresh it at once, while those of other nodes
    /// only show once it is this old.
    /// </summary>
    private static readonly TimeSpan CachedAnswerMaxAge = TimeSpan.FromSeconds(5);

    /// <summary>Registers the database, the office clock and the finding lifecycle.</summary>
    public static IServiceCollection AddRectifyCore(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var dataPath = configuration["Rectify:DataDirectory"] is { Length: > 0 } configured ? configured : "data";
        var dataDirectory = new DataDirectory(Path.IsPathRooted(dataPath) ? dataPath : Path.Combine(contentRoot, dataPath));
        Directory.CreateDirectory(dataDirectory.Path);
        services.AddSingleton(dataDirectory);

        var database = configuration.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddSingleton(database);
        // Pooled: a request reuses a context instead of building EF's services for each one.
        // Each module adds its tables (AddRectifyDbModule) before the first context is made.
        services.AddPooledDbContextFactory<RectifyDb>((sp, options) =>
            ConfigureDatabase(options, database, dataDirectory).UseRectifyModules(sp.GetServices<DbModule>()));
        // Every scope's context dispatches the events its findings record to the scope's handlers.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<RectifyDb>>().CreateDbContext()
            .RentedBy(sp.GetRequiredService<ActorContext>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<FindingEventDispatcher>));

        services.Configure<OfficeOptions>(configuration.GetSection("Office"));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OfficeClock>();
        services.AddSingleton<Rectify.Templating.SavedTemplates>();
        services.Configure<WorkingDayOptions>(configuration.GetSection("Office"));
        services.AddSingleton<WorkingDayCalendar>();
        services.AddScoped<ActorContext>();
        services.AddScoped<FindingDeadline>();
        services.AddScoped<FindingLifecycle>();
        services.AddScoped<FindingEventDispatcher>();
        services.AddScoped<IFindingEventHandler, DeadlineChangedMail>();
        // The workflow and mail modules replace these when they are registered (after Core).
        services.TryAddScoped<Workflows.IFindingWorkflows, Workflows.AssignWithoutWorkflow>();
        services.TryAddScoped<Workflows.IDeadlineSettings, Workflows.DefaultDeadlineSettings>();
        services.TryAddScoped<Mail.IMailOutbox, Mail.NoMailOutbox>();
        AddFeatureServices(services, configuration);
        return services;
    }

    /// <summary>The services pages and API share (UserAdminService also needs Identity, added by the host).</summary>
    private static void AddFeatureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<Reports.EvidenceOptions>(configuration.GetSection("Evidence"));
        services.TryAddSingleton<Reports.IEvidenceStorage, Reports.FolderEvidenceStorage>();
        services.AddSingleton<Reports.EvidenceBuffers>();
        services.TryAddSingleton<Reports.IEvidenceStore, Reports.EvidenceStore>();
        services.AddSingleton<Reports.EvidenceSweeper>();
        services.AddHostedService<Reports.EvidenceSweeperService>();
        services.AddScoped<Reports.ReportService>();
        services.Configure<Captures.CaptureOptions>(configuration.GetSection("Evidence:Capture"));
        services.AddSingleton<Captures.GuardedFetcher>();
        services.AddSingleton<Captures.LinkCaptureWorker>();
        services.AddHostedService<Captures.LinkCaptureBackground>();
        services.AddScoped<Captures.LinkCaptureService>();
        services.AddScoped<IFindingEventHandler, Captures.LinkCaptureOnSubmit>();
        services.Configure<Comments.CommentOptions>(configuration.GetSection("Comments"));
        services.AddScoped<Comments.CommentService>();
        services.AddScoped<FindingService>();
        services.AddScoped<FindingRules>();
        services.AddScoped<FindingIssuer>();
        services.AddScoped<FindingBulk>();
        services.AddScoped<Inspections.InspectionService>();
        services.AddScoped<Units.UnitService>();
        services.AddScoped<Categories.CategoryService>();
        services.AddScoped<Users.UserAdminService>();
        services.AddScoped<Dashboard.DashboardService>();
        services.AddScoped<Todo.TodoService>();
        services.AddScoped<FindingChoices>();

        // Totals per filter: any filter can be asked for, so only the recent ones are kept.
        AddFreshCache<FindingService.CountKey, int>(services, () => RectifyDb.FindingsVersion, capacity: 10_000);
        // The dashboard also names the units, so their changes refresh it too (the sum moves when either counter does).
        AddFreshCache<Dashboard.DashboardService.ViewKey, Dashboard.DashboardView>(services,
            () => RectifyDb.FindingsVersion + RectifyDb.ReferenceDataVersion, capacity: 1_000);
        // The navigation's counts, asked on every page: failed mails and faulted instances change without a finding
        // saved, so those show within the answer's age.
        AddFreshCache<Todo.TodoService.CountsKey, Todo.NavCounts>(services, () => RectifyDb.FindingsVersion, capacity: 1_000);
        AddFreshCache<ChoiceList, IReadOnlyList<Choice>>(services, () => RectifyDb.ReferenceDataVersion, capacity: Enum.GetValues<ChoiceList>().Length);
    }

    private static void AddFreshCache<TKey, TValue>(IServiceCollection services, Func<long> version, int capacity) where TKey : notnull =>
        services.AddSingleton(sp => new FreshCache<TKey, TValue>(version, CachedAnswerMaxAge, capacity, sp.GetRequiredService<TimeProvider>()));

    public static DbContextOptionsBuilder ConfigureDatabase(DbContextOptionsBuilder options, DatabaseOptions database, DataDirectory dataDirectory)
    {
        // Id lists go to the database as one array parameter (json_each on SQLite, = ANY on PostgreSQL). EF's
        // default expands each element into a parameter of its own; for the batches of a notice (1,000 findings)
        // that expansion took a fifth of the time of issuing it.
        switch (database.Provider)
        {
            case DatabaseProvider.Postgres:
                options.UseNpgsql(database.ConnectionString, o => o.MigrationsAssembly(PostgresMigrationsAssembly)
                    .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter));
                break;
            default:
                // A private cache per connection: WAL then lets readers run beside the one writer (a shared cache
                // locks tables between the connections of this process instead).
                var connectionString = database.ConnectionString is { Length: > 0 } cs
                    ? cs
                    : $"Data Source={dataDirectory.Combine("rectify.db")};Default Timeout=30";
                options.UseSqlite(connectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly)
                        .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter))
                    .AddInterceptors(SqliteConnectionSetup.Instance);
                break;
        }
        return options;
    }
}
