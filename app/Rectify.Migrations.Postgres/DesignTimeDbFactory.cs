using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Rectify.Data;

namespace Rectify.Migrations.Postgres;

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL model without a server.</summary>
internal sealed class DesignTimeDbFactory : IDesignTimeDbContextFactory<RectifyDb>
{
    public RectifyDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<RectifyDb>()
            .UseNpgsql("Host=localhost;Database=rectify_design", o => o.MigrationsAssembly(CoreModule.PostgresMigrationsAssembly))
            .Options);
}
