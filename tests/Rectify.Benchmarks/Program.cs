using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Rectify;
using Rectify.Auditing;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Mail;
using Rectify.Units;
using Rectify.Users;
using Rectify.Workflows;
using Rectify.Workflows.Timers;

// Workflow runtime throughput on one SQLite file: starts (a notice's findings per transaction), concurrent
// report-submitted resumes, due timers fired; each next to the raw single-row-transaction rate of the same file,
// first on an empty store and again with 100,000 instances stored.
if (args.FirstOrDefault() is "notices")
    return await Rectify.Benchmarks.NoticeBenchmarks.RunAsync();
if (args.FirstOrDefault() is not "runtime")
{
    Console.WriteLine("usage: dotnet run -c Release --project tests/Rectify.Benchmarks -- runtime [findings=600] [stored=100000]");
    Console.WriteLine("       dotnet run -c Release --project tests/Rectify.Benchmarks -- notices");
    return 1;
}
var findingsPerRound = args.Length > 1 ? int.Parse(args[1]) : 600;
var stored = args.Length > 2 ? int.Parse(args[2]) : 100_000;

var bench = await Bench.CreateAsync();
Console.WriteLine($"SQLite file: {bench.File}");
var empty = await bench.RoundAsync("empty store", findingsPerRound);
Console.WriteLine($"storing {stored:N0} more instances …");
await bench.StoreAsync(stored);
var full = await bench.RoundAsync($"{stored:N0} instances stored", findingsPerRound);

Console.WriteLine();
Console.WriteLine("figure                          empty        stored       stored/empty");
Console.WriteLine($"starts/s (ratio to raw)         {empty.Starts,8:F0} ({empty.Starts / empty.Raw:F3})  {full.Starts,8:F0} ({full.Starts / full.Raw:F3})  {full.Starts / empty.Starts:F2}");
Console.WriteLine($"resumes/s (ratio to raw)        {empty.Resumes,8:F0} ({empty.Resumes / empty.Raw:F3})  {full.Resumes,8:F0} ({full.Resumes / full.Raw:F3})  {full.Resumes / empty.Resumes:F2}");
Console.WriteLine($"timers fired/s                  {empty.Timers,8:F0}          {full.Timers,8:F0}          {full.Timers / empty.Timers:F2}");
Console.WriteLine($"raw single-row tx/s             {empty.Raw,8:F0}          {full.Raw,8:F0}");
using (var process = Process.GetCurrentProcess())
    Console.WriteLine($"process memory with {stored:N0} stored: working set {process.WorkingSet64 / 1024 / 1024} MB, managed heap {GC.GetTotalMemory(true) / 1024 / 1024} MB");
Console.WriteLine("targets: starts >= 0.25 of raw; resumes >= 0.10 of raw; timers >= 5,000/s; stored/empty >= 0.9; memory <= 250 MB");
await bench.DisposeAsync();
return 0;

internal sealed record Figures(double Raw, double Starts, double Resumes, double Timers);

internal sealed class Bench : IAsyncDisposable
{
    private const int NoticeSize = 50;
    private const int ConcurrentUnits = 4;
    private readonly ServiceProvider _services;
    private readonly FakeTimeProvider _clock;
    private readonly string _directory;
    private List<Unit> _units = [];
    private int _categoryId, _inspectionId;
    private DateOnly _deadline;

    private Bench(ServiceProvider services, FakeTimeProvider clock, string directory)
    {
        _services = services;
        _clock = clock;
        _directory = directory;
    }

    public string File => Path.Combine(_directory, "rectify.db");

    private static string RepoRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    public static async Task<Bench> CreateAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rectify-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rectify:DataDirectory"] = directory,
            ["Mail:TemplatesDirectory"] = Path.Combine(RepoRoot(), "templates"),
            ["Workflows:DefinitionsPath"] = Path.Combine(RepoRoot(), "workflows"),
        }).Build();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(clock);
        services.AddRectifyCore(configuration, directory);
        services.AddRectifyMail(configuration);
        services.AddRectifyWorkflows(configuration);
        var provider = services.BuildServiceProvider();
        await DatabaseInitializer.MigrateAsync(provider);
        var bench = new Bench(provider, clock, directory);
        await bench.SeedAsync();
        return bench;
    }

    private async Task SeedAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        _units = Enumerable.Range(0, ConcurrentUnits * 2).Select(i => new Unit
        {
            Name = $"单位{i}",
            Leader = new Contact { Name = "负责人", Email = $"leader{i}@example.gov.cn" },
            Liaison = new Contact { Name = "联络人", Email = $"liaison{i}@example.gov.cn" },
        }).ToList();
        db.AddRange(_units);
        var category = new Category { Name = "主动公开", NameEn = "Proactive disclosure" };
        var inspection = new Inspection { Title = "基准检查", Kind = InspectionKind.ThirdPartyCheck, PeriodStart = new DateOnly(2026, 2, 1), PeriodEnd = new DateOnly(2026, 2, 28), CreatedAt = _clock.GetUtcNow() };
        db.AddRange(category, inspection);
        db.Add(new AppUser { UserName = "sup", Email = "supervisor@example.gov.cn", DisplayName = "主管", Role = UserRole.Supervisor });
        db.Add(new AppUser { UserName = "aud", Email = "auditor@example.gov.cn", DisplayName = "审核员", Role = UserRole.Auditor });
        await db.SaveChangesAsync();
        _categoryId = category.Id;
        _inspectionId = inspection.Id;
        // Warm up, not reported: import the definition and JIT every path the rounds time, so the first round
        // measures the same steady state as the second.
        var (ids, _) = await StartRoundAsync(NoticeSize);
        await ResumeRoundAsync(ids.Take(NoticeSize / 2).ToList());
        await TimerRoundAsync();
    }

    public async Task<Figures> RoundAsync(string title, int count)
    {
        Console.WriteLine($"== {title}");
        var raw = RawRate(TimeSpan.FromSeconds(4));
        Console.WriteLine($"raw single-row transactions: {raw:F0}/s");
        var (ids, starts) = await StartRoundAsync(count);
        Console.WriteLine($"starts: {starts:F0}/s  ratio {starts / raw:F3}");
        var resumes = await ResumeRoundAsync(ids.Take(count / 2).ToList());
        Console.WriteLine($"report-submitted resumes ({ConcurrentUnits} concurrent): {resumes:F0}/s  ratio {resumes / raw:F3}");
        var timers = await TimerRoundAsync();
        Console.WriteLine($"due timers fired: {timers:F0}/s");
        return new Figures(raw, starts, resumes, timers);
    }

    /// <summary>BEGIN; one INSERT; COMMIT — on the same file, with the app's connection settings (WAL).</summary>
    private double RawRate(TimeSpan duration)
    {
        using var connection = new SqliteConnection($"Data Source={File};Default Timeout=30");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, v TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }
        var watch = Stopwatch.StartNew();
        var n = 0;
        while (watch.Elapsed < duration)
        {
            using var tx = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO bench_raw (v) VALUES ($v)";
            insert.Parameters.AddWithValue("$v", "整改");
            insert.ExecuteNonQuery();
            tx.Commit();
            n++;
        }
        return n / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Drafts are recorded first (not timed); issuing a notice's findings — assign and start — is one transaction.</summary>
    private async Task<(List<int> Ids, double Rate)> StartRoundAsync(int count)
    {
        _deadline = DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime).AddDays(14);
        var ids = new List<int>();
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            var drafts = Enumerable.Range(0, count).Select(i => new Finding
            {
                UnitId = _units[i % _units.Count].Id, CategoryId = _categoryId, InspectionId = _inspectionId,
                Location = "政务公开-基层政务公开", Description = $"问题{i}", Requirement = "及时更新", Deadline = _deadline,
                CreatedAt = _clock.GetUtcNow(), UpdatedAt = _clock.GetUtcNow(),
            }).ToList();
            db.AddRange(drafts);
            await db.SaveChangesAsync();
            ids = drafts.Select(f => f.Id).ToList();
        }
        var watch = Stopwatch.StartNew();
        foreach (var notice in ids.Chunk(NoticeSize))
        {
            await using var scope = _services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            var findings = await db.Set<Finding>().Where(f => notice.Contains(f.Id)).ToListAsync();
            await scope.ServiceProvider.GetRequiredService<IFindingWorkflows>().StartAsync(findings);
            await db.SaveChangesAsync();
        }
        return (ids, ids.Count / watch.Elapsed.TotalSeconds);
    }

    /// <summary>Liaisons of different units submitting reports at the same time, each a whole user action.</summary>
    private async Task<double> ResumeRoundAsync(List<int> ids)
    {
        var byUnit = await WithDb(db => db.Set<Finding>().Where(f => ids.Contains(f.Id)).Select(f => new { f.Id, f.UnitId }).ToListAsync());
        var queue = new ConcurrentQueue<(int Id, int UnitId)>(byUnit.Select(f => (f.Id, f.UnitId)));
        var content = new ReportContent("已整改", true, ["https://www.example.gov.cn/a"], []);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, ConcurrentUnits).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var item))
            {
                var actor = new Actor($"liaison-{item.UnitId}", "联络人", UserRole.UnitLiaison, item.UnitId);
                await using var scope = _services.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<ActorContext>().Actor = actor;
                await scope.ServiceProvider.GetRequiredService<FindingLifecycle>().SubmitReportAsync(item.Id, content, actor);
            }
        })));
        return ids.Count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Moves the clock past the round's reminders and the deadline; every due timer fires once.</summary>
    private async Task<double> TimerRoundAsync()
    {
        var due = await WithDb(db => db.Set<Rectify.Workflows.WorkflowTimer>().CountAsync(t => t.DueAt < new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        _clock.SetUtcNow(_clock.GetUtcNow().AddDays(21));
        var dispatcher = _services.GetRequiredService<TimerDispatcher>();
        var watch = Stopwatch.StartNew();
        var fired = await dispatcher.FireDueAsync();
        var rate = fired / watch.Elapsed.TotalSeconds;
        if (fired != due)
            Console.WriteLine($"!! {due} timers were due, {fired} fired");
        return rate;
    }

    /// <summary>Adds running instances (with a future timer and a bookmark each) and their findings, in one transaction.</summary>
    public async Task StoreAsync(int count)
    {
        var sample = await WithDb(db => db.Set<Rectify.Workflows.WorkflowInstance>().AsNoTracking().OrderBy(i => i.CreatedAt).FirstAsync());
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        string Table<T>() => db.Model.FindEntityType(typeof(T))!.GetTableName()!;
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var future = new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var finding = Command(connection, tx, $"""
            INSERT INTO "{Table<Finding>()}" (InspectionId, UnitId, CategoryId, Location, Description, Requirement, Severity, Deadline, Status, IsOverdue, QueuedForFollowUp, CreatedAt, CreatedById, UpdatedAt, Version)
            VALUES ({_inspectionId}, $unit, {_categoryId}, '政务公开', '存量问题', '整改', 'Normal', '2027-05-31', 'Assigned', 0, 0, {now}, '', {now}, 1) RETURNING Id
            """, "$unit");
        var instance = Command(connection, tx, $"""
            INSERT INTO "{Table<Rectify.Workflows.WorkflowInstance>()}" (Id, DefinitionId, DefinitionVersionId, DefinitionVersion, FindingId, Status, SubStatus, State, CreatedAt, UpdatedAt, Revision)
            VALUES ($id, '{sample.DefinitionId}', '{sample.DefinitionVersionId}', {sample.DefinitionVersion}, $finding, 'Running', 'Suspended', $state, {now}, {now}, 1)
            """, "$id", "$finding", "$state");
        var timer = Command(connection, tx, $"""
            INSERT INTO "{Table<Rectify.Workflows.WorkflowTimer>()}" (InstanceId, ActivityExecutionId, ActivityId, DueAt) VALUES ($id, '9', 'waitReport', {future})
            """, "$id");
        var bookmark = Command(connection, tx, $"""
            INSERT INTO "{Table<Rectify.Workflows.WorkflowBookmark>()}" (InstanceId, ActivityExecutionId, Name, ActivityId, FindingId, CreatedAt) VALUES ($id, '9', 'ReportSubmitted', 'waitReport', $finding, {now})
            """, "$id", "$finding");
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            finding.Parameters[0].Value = _units[i % _units.Count].Id;
            var findingId = (long)(await finding.ExecuteScalarAsync())!;
            var id = Guid.CreateVersion7().ToString("N");
            instance.Parameters[0].Value = id;
            instance.Parameters[1].Value = findingId;
            instance.Parameters[2].Value = sample.State;
            await instance.ExecuteNonQueryAsync();
            timer.Parameters[0].Value = id;
            await timer.ExecuteNonQueryAsync();
            bookmark.Parameters[0].Value = id;
            bookmark.Parameters[1].Value = findingId;
            await bookmark.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        Console.WriteLine($"stored {count:N0} instances in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var p in parameters)
            command.Parameters.Add(new SqliteParameter(p, null));
        command.Prepare();
        return command;
    }

    private async Task<T> WithDb<T>(Func<RectifyDb, Task<T>> work)
    {
        await using var scope = _services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<RectifyDb>());
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
