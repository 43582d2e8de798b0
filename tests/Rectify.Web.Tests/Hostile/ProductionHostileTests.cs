using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Rectify.Testing;
using Rectify.Users;
using Rectify.Web.Demo;

namespace Rectify.Web.Tests.Hostile;

/// <summary>A first start in Production: no demo data, no known password; the first supervisor comes from the command line.</summary>
public sealed class ProductionHostileTests(ProductionHostileTests.ProductionApp app) : IClassFixture<ProductionHostileTests.ProductionApp>
{
    public sealed class ProductionApp : HostileApp
    {
        protected override string EnvironmentName => "Production";
        protected override bool SeedDemo => false;
    }

    [Fact]
    public async Task Demo_sign_ins_do_not_work_in_production()
    {
        var client = app.Raw();
        foreach (var login in DemoData.Logins.Take(3))
            await HostileApp.ProblemAsync(await client.PostAsJsonAsync("/api/auth/login", new { userName = login.UserName, password = login.Password }),
                HttpStatusCode.BadRequest, "auth.invalid_credentials");
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<global::Rectify.Units.Unit>().CountAsync()));
    }

    [Fact]
    public async Task Admin_create_makes_the_first_supervisor_from_the_command_line()
    {
        var dll = Path.Combine(Browser.BrowserApp.RepoRoot(), "app", "Rectify.Web", "bin", "Release", "net10.0", "Rectify.Web.dll");
        Assert.True(File.Exists(dll), dll);
        var data = Path.Combine(Path.GetTempPath(), "rectify-admin-create", Guid.NewGuid().ToString("N"));
        try
        {
            string[] settings = [$"--Rectify:DataDirectory={data}", .. TestPostgres.SettingsFor(data).Select(s => $"--{s.Key}={s.Value}")];
            var start = new ProcessStartInfo("dotnet", [dll, "--", "admin", "create", "chief", .. settings])
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(dll)!,
                Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
            };
            using var process = Process.Start(start)!;
            await process.StandardInput.WriteLineAsync("Chief#Pass2026");
            process.StandardInput.Close();
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, output + await process.StandardError.ReadToEndAsync());
            Assert.Contains("Supervisor chief created", output);
            Assert.DoesNotContain("Rectify#2026", output);

            await using var node = new DataNode(data);
            var user = await node.WithDbAsync(db => db.Users.SingleAsync());
            Assert.Equal(("chief", UserRole.Supervisor), (user.UserName, user.Role));
            var client = node.CreateClient();
            Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/auth/login", new { userName = "chief", password = "Chief#Pass2026" })).StatusCode);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await TestPostgres.DropAsync(data);
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A production node on the folder the command line prepared.</summary>
    private sealed class DataNode(string data) : RectifyWebFactory(data)
    {
        protected override string EnvironmentName => "Production";
        protected override bool SeedDemo => false;
    }
}
