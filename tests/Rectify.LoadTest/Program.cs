using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.LoadTest;
using Rectify.Units;
using System.Globalization;

// Seeds a demo database with N findings across 60 units, starts the real app (Release build) as its own process on
// loopback, and measures latency percentiles of the finding list, a finding's detail and the dashboard under
// concurrent connections, with the server's memory. Usage:
//   dotnet build app/Rectify.Web -c Release && dotnet run -c Release --project tests/Rectify.LoadTest -- [findings] [seconds] [connections] [options]
// Options:
//   --tool wrk|dotnet|both  who sends the load: wrk (default when on PATH; a light native client, so on a small
//                           machine the figures are what a load tool on loopback sees) or this process's HttpClient
//   --data DIR              keep the seeded database in DIR and reuse it on the next run (default: a temporary folder)
//   --app DLL               the app build to measure (default: app/Rectify.Web/bin/Release/net10.0/Rectify.Web.dll)
//   --warmup SECONDS        load sent to each route before it is measured, not counted (default 5): a server that
//                           has just started still compiles its hot code and would otherwise be measured doing so
var positional = new List<string>();
string? tool = null, keptData = null, appDll = null;
var warmup = 5;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--tool": tool = args[++i]; break;
        case "--data": keptData = Path.GetFullPath(args[++i]); break;
        case "--app": appDll = Path.GetFullPath(args[++i]); break;
        case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: positional.Add(args[i]); break;
    }
}
var findingCount = positional.Count > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 100_000;
var seconds = positional.Count > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 20;
var connections = positional.Count > 2 ? int.Parse(positional[2], CultureInfo.InvariantCulture) : 32;
tool ??= Wrk.IsInstalled() ? "wrk" : "dotnet";
if (tool is not ("wrk" or "dotnet" or "both"))
    throw new ArgumentException("--tool is wrk, dotnet or both");
if (tool != "dotnet" && !Wrk.IsInstalled())
    throw new InvalidOperationException("wrk is not installed (Debian: apt-get install -y wrk)");
const int unitCount = 60;

var repo = RepoRoot.Find();
appDll ??= Path.Combine(repo, "app/Rectify.Web/bin/Release/net10.0/Rectify.Web.dll");
var dataDir = keptData ?? Path.Combine(Path.GetTempPath(), "rectify-load-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(dataDir);
Console.WriteLine($"data: {dataDir}");
Console.WriteLine($"app: {appDll}");
try
{
    var dbPath = Path.Combine(dataDir, "rectify.db");
    if (File.Exists(dbPath) && await CountFindingsAsync(dbPath) >= findingCount)
        Console.WriteLine("reusing the seeded database");
    else
    {
        // 1. The app creates the schema and the demo data.
        await using (var first = await AppProcess.StartAsync(appDll, repo, dataDir))
            Console.WriteLine($"demo database ready in {first.StartupTime.TotalSeconds:0.0} s");

        // 2. Grow it to the benchmark's size.
        var seedWatch = Stopwatch.StartNew();
        await SeedAsync(dbPath, findingCount);
        Console.WriteLine($"seeded {findingCount:N0} findings across {unitCount} units in {seedWatch.Elapsed.TotalSeconds:0.0} s");
    }

    // 3. Measure against a fresh process.
    await using var app = await AppProcess.StartAsync(appDll, repo, dataDir);
    var maxId = findingCount;
    var auditor = await Client.SignInAsync(app.BaseUrl, "auditor", "Rectify#2026");
    var targets = new (string Name, Func<Random, string> Url)[]
    {
        ("list api (unit+status, paged)", r => $"/api/findings?unitId={r.Next(1, unitCount + 1)}&status=Assigned&page={r.Next(1, 6)}&pageSize=20"),
        ("detail api", r => $"/api/findings/{r.Next(1, maxId)}"),
        ("dashboard api", _ => "/api/dashboard"),
        ("list page", r => $"/findings?unit={r.Next(1, unitCount + 1)}&status=Assigned&p={r.Next(1, 6)}"),
        ("detail page", r => $"/findings/{r.Next(1, maxId)}"),
        ("dashboard page", _ => "/dashboard"),
    };
    foreach (var (name, url) in targets)
        (await auditor.Http.GetAsync(url(new Random(1)))).EnsureSuccessStatusCode();   // every route answers

    var tools = tool == "both" ? new[] { "wrk", "dotnet" } : [tool];
    foreach (var client in tools)
    {
        Console.WriteLine($"{client}: {connections} connections, {seconds} s per route after {warmup} s of warm-up");
        Console.WriteLine($"{"route",-32} {"requests",9} {"req/s",8} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"errors",7} {"RSS MB",7} {"CPU ms/req",10}");
        foreach (var (name, url) in targets)
        {
            // A fresh sign-in per route: wrk never stores the renewed cookie a browser would, so an old one would
            // make every request re-check the security stamp once the validation interval (1 min) has passed.
            var session = await Client.SignInAsync(app.BaseUrl, "auditor", "Rectify#2026");
            Task<LoadResult> Run(int s) => client == "wrk"
                ? Wrk.RunAsync(app.BaseUrl, session.Cookies, url, connections, TimeSpan.FromSeconds(s))
                : Load.RunAsync(app.BaseUrl, session.Cookies, url, connections, TimeSpan.FromSeconds(s));
            if (warmup > 0)
                await Run(warmup);
            var cpu = app.CpuTime();
            var result = await Run(seconds);
            var cpuPerRequest = (app.CpuTime() - cpu).TotalMilliseconds / Math.Max(1, result.Count);
            Console.WriteLine($"{name,-32} {result.Count,9} {result.PerSecond,8:0} {result.P50,8:0.0} {result.P95,8:0.0} {result.P99,8:0.0} {result.Errors,7} {app.Memory().RssMb,7:0} {cpuPerRequest,10:0.00}");
        }
    }
    var memory = app.Memory();
    Console.WriteLine($"server memory: RSS {memory.RssMb:0} MB, peak RSS {memory.PeakMb:0} MB");
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    if (keptData is null)
        Directory.Delete(dataDir, recursive: true);
}

static async Task<int> CountFindingsAsync(string dbPath)
{
    await using var db = new RectifyDb(new DbContextOptionsBuilder<RectifyDb>().UseSqlite($"Data Source={dbPath}").Options);
    return await db.Set<Finding>().CountAsync();
}

static async Task SeedAsync(string dbPath, int findingCount)
{
    var options = new DbContextOptionsBuilder<RectifyDb>().UseSqlite($"Data Source={dbPath}").Options;
    int[] unitIds;
    int[] categoryIds;
    int inspectionId;
    await using (var db = new RectifyDb(options))
    {
        var existing = await db.Set<Unit>().CountAsync();
        for (var i = existing; i < unitCount; i++)
            db.Add(new Unit { Name = $"测试单位{i + 1:00}", Kind = UnitKind.Department, Liaison = new Contact { Name = $"联络人{i + 1}", Email = $"unit{i + 1}@example.gov.cn" } });
        var inspection = new Inspection { Title = "负载测试检查", Kind = InspectionKind.ThirdPartyCheck, PeriodStart = new(2026, 10, 1), PeriodEnd = new(2026, 10, 31) };
        db.Add(inspection);
        await db.SaveChangesAsync();
        unitIds = await db.Set<Unit>().Select(u => u.Id).ToArrayAsync();
        categoryIds = await db.Set<Category>().Select(c => c.Id).ToArrayAsync();
        inspectionId = inspection.Id;
    }
    var statuses = new[] { FindingStatus.Assigned, FindingStatus.Assigned, FindingStatus.Submitted, FindingStatus.Accepted, FindingStatus.Returned };
    var random = new Random(42);
    var now = DateTimeOffset.UtcNow;
    const int batch = 5_000;
    for (var done = 0; done < findingCount; done += batch)
    {
        await using var db = new RectifyDb(options);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        for (var i = done; i < Math.Min(findingCount, done + batch); i++)
        {
            db.Add(new Finding
            {
                InspectionId = inspectionId,
                UnitId = unitIds[random.Next(unitIds.Length)],
                CategoryId = categoryIds[random.Next(categoryIds.Length)],
                Location = $"政务公开-重点领域信息公开-栏目{i % 97}",
                Description = $"第{i}项：栏目本年度未更新信息，多个子目录更新较少。",
                Requirement = "及时更新本年度信息，完善栏目内容。",
                Deadline = new DateOnly(2026, 11, 1).AddDays(random.Next(60)),
                Status = statuses[random.Next(statuses.Length)],
                IsOverdue = random.Next(10) == 0,
                CreatedAt = now,
                UpdatedAt = now,
            });
        }
        await db.SaveChangesAsync();
    }
}
