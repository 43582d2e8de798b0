using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Time;

namespace Rectify;

public static class CoreModule
{
    /// <summary>Registers the database, the office clock and the finding lifecycle.</summary>
    public static IServiceCollection AddRectifyCore(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var dataPath = configuration["Rectify:DataDirectory"] is { Length: > 0 } configured ? configured : "data";
        var dataDirectory = new DataDirectory(Path.IsPathRooted(dataPath) ? dataPath : Path.Combine(contentRoot, dataPath));
        Directory.CreateDirectory(dataDirectory.Path);
        services.AddSingleton(dataDirectory);

        var database = configuration.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddSingleton(database);
        services.AddDbContext<RectifyDb>(options => ConfigureDatabase(options, database, dataDirectory));

        services.Configure<OfficeOptions>(configuration.GetSection("Office"));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OfficeClock>();
        services.AddScoped<ActorContext>();
        services.AddScoped<FindingLifecycle>();
        return services;
    }

    public static void ConfigureDatabase(DbContextOptionsBuilder options, DatabaseOptions database, DataDirectory dataDirectory)
    {
        switch (database.Provider)
        {
            case DatabaseProvider.Postgres:
                options.UseNpgsql(database.ConnectionString);
                break;
            default:
                var connectionString = database.ConnectionString is { Length: > 0 } cs
                    ? cs
                    : $"Data Source={dataDirectory.Combine("rectify.db")};Cache=Shared;Default Timeout=30";
                options.UseSqlite(connectionString);
                break;
        }
    }
}
