using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Rectify.Data;
using Rectify.Mail;
using Rectify.Notices;
using Rectify.Workflows;

namespace Rectify.Migrations.Postgres;

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL model, with every module's tables, without a server.</summary>
internal sealed class DesignTimeDbFactory : IDesignTimeDbContextFactory<RectifyDb>
{
    public RectifyDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<RectifyDb>()
            .UseNpgsql("Host=localhost;Database=rectify_design", o => o.MigrationsAssembly(CoreModule.PostgresMigrationsAssembly))
            .UseRectifyModules([WorkflowsModule.Database, MailModule.Database, NoticesModule.Database])
            .Options);
}
