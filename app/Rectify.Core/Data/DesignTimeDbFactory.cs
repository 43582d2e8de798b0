using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Rectify.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the web host.</summary>
internal sealed class DesignTimeDbFactory : IDesignTimeDbContextFactory<RectifyDb>
{
    public RectifyDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<RectifyDb>().UseSqlite("Data Source=design-time.db").Options);
}
