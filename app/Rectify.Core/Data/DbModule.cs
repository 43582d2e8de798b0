using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Rectify.Data;

/// <summary>
/// What a module adds to the one database: the assembly holding its entity configurations, the rows it writes in
/// bulk (see <see cref="BulkWrite"/>), and the longest text a user may enter in its free-text fields (see
/// <see cref="TextLimits"/>). Core knows no module's entity; each module registers its own with
/// <see cref="DbModuleServices.AddRectifyDbModule"/>.
/// </summary>
public sealed record DbModule(string Name, Assembly Configurations)
{
    /// <summary>Added and removed by key, in dependency order (a row before the rows that refer to it).</summary>
    public IReadOnlyList<Type> BulkInserted { get; init; } = [];
    /// <summary>Of <see cref="BulkInserted"/>, those also removed in bulk.</summary>
    public IReadOnlyList<Type> BulkDeleted { get; init; } = [];
    /// <summary>Of <see cref="BulkInserted"/>, those also updated in bulk, their concurrency tokens checked row by row.</summary>
    public IReadOnlyList<Type> BulkUpdated { get; init; } = [];
    /// <summary>
    /// Appended without their generated key and no longer tracked afterwards; a row a unique index already holds is
    /// left out (ON CONFLICT DO NOTHING), so a key meant to be written once needs no read before the save.
    /// </summary>
    public IReadOnlyList<Type> BulkAppended { get; init; } = [];
    /// <summary>Entity type name → property → limit.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, TextLimit>> TextLimits { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, TextLimit>>();
}

/// <summary>The modules of one <see cref="RectifyDb"/> configuration, merged.</summary>
public sealed class DbModules
{
    public static readonly DbModules None = new([]);

    public DbModules(IEnumerable<DbModule> modules)
    {
        All = modules.DistinctBy(m => m.Name).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        BulkInserted = All.SelectMany(m => m.BulkInserted).ToArray();
        BulkDeleted = All.SelectMany(m => m.BulkDeleted).ToArray();
        BulkUpdated = All.SelectMany(m => m.BulkUpdated).ToArray();
        BulkAppended = All.SelectMany(m => m.BulkAppended).ToArray();
        TextLimits = Data.TextLimits.Core.Concat(All.SelectMany(m => m.TextLimits)).ToDictionary();
    }

    public IReadOnlyList<DbModule> All { get; }
    public Type[] BulkInserted { get; }
    public Type[] BulkDeleted { get; }
    public Type[] BulkUpdated { get; }
    public Type[] BulkAppended { get; }
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, TextLimit>> TextLimits { get; }

    internal static DbModules Of(DbContextOptions options) => options.FindExtension<Extension>()?.Modules ?? None;

    /// <summary>Carries the modules to the context; another set of modules is another model.</summary>
    internal sealed class Extension(DbModules modules) : IDbContextOptionsExtension
    {
        public DbModules Modules { get; } = modules;

        public DbContextOptionsExtensionInfo Info => new ExtensionInfo(this);

        public void ApplyServices(IServiceCollection services)
        {
        }

        public void Validate(IDbContextOptions options)
        {
        }

        private sealed class ExtensionInfo(Extension extension) : DbContextOptionsExtensionInfo(extension)
        {
            private string Names => string.Join(",", ((Extension)Extension).Modules.All.Select(m => m.Name));
            public override bool IsDatabaseProvider => false;
            public override string LogFragment => $"Modules={Names} ";
            public override int GetServiceProviderHashCode() => StringComparer.Ordinal.GetHashCode(Names);
            public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) =>
                other is ExtensionInfo info && info.Names == Names;
            public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) => debugInfo["Rectify:Modules"] = Names;
        }
    }
}

public static class DbModuleServices
{
    /// <summary>Adds <paramref name="module"/>'s tables to the database (once, however often a host adds it).</summary>
    public static IServiceCollection AddRectifyDbModule(this IServiceCollection services, DbModule module) =>
        services.AddSingleton(module);

    /// <summary>Builds RectifyDb's model from Core's entities and those of <paramref name="modules"/>.</summary>
    public static TBuilder UseRectifyModules<TBuilder>(this TBuilder options, IEnumerable<DbModule> modules)
        where TBuilder : DbContextOptionsBuilder
    {
        ((IDbContextOptionsBuilderInfrastructure)options).AddOrUpdateExtension(new DbModules.Extension(new DbModules(modules)));
        return options;
    }
}
