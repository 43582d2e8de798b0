using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Rectify.Mail;
using Rectify.Notices;
using Rectify.Workflows;

namespace Rectify.Data;

/// <summary>Lets `dotnet ef migrations add` build the model, with every module's tables, without starting the web host.</summary>
internal sealed class DesignTimeDbFactory : IDesignTimeDbContextFactory<RectifyDb>
{
    public RectifyDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<RectifyDb>()
            .UseSqlite("Data Source=design-time.db", o => o.MigrationsAssembly(CoreModule.SqliteMigrationsAssembly))
            .UseRectifyModules([WorkflowsModule.Database, MailModule.Database, NoticesModule.Database])
            .Options);
}
