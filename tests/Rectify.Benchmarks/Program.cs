using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Rectify;
using Rectify.Auditing;
using Rectify.Benchmarks;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Mail;
using Rectify.Units;
using Rectify.Users;
using Rectify.Workflows;
using Rectify.Workflows.Timers;

// Workflow runtime throughput on one database (a SQLite file, or a new database on a PostgreSQL server): starts (a
// notice's findings per transaction), concurrent report-submitted resumes, due timers fired; each next to the raw
// single-row-transaction rate of the same database, first on an empty store and again with 100,000 instances stored.
// With --nodes=2, two app nodes (service providers, each with its own dispatcher) share the database and the work.
if (args.FirstOrDefault() is "notices")
    return await Rectify.Benchmarks.NoticeBenchmarks.RunAsync();
if (args.FirstOrDefault() is "mixed")
    return await Rectify.Benchmarks.MixedLoadBenchmark.RunAsync(args);
if (args.FirstOrDefault() is "validation")
    return Rectify.Benchmarks.ValidationBenchmarks.Run();
if (args.FirstOrDefault() is "templates")
    return Rectify.Benchmarks.TemplateBenchmark.Run(args);
if (args.FirstOrDefault() is "audit")
    return await Rectify.Benchmarks.AuditBenchmarks.RunAsync(args);
if (args.FirstOrDefault() is not "runtime")
{
    Console.WriteLine("usage: dotnet run -c Release --project tests/Rectify.Benchmarks -- runtime [findings=600] [stored=100000] [--nodes=1|2] [--fire-group=N] [--liaisons=4] [--postgres=SERVER-CONNECTION-STRING]");
    Console.WriteLine("       (--postgres may also come from RECTIFY_BENCH_POSTGRES; the benchmark creates its own database there and drops it)");
    Console.WriteLine("       dotnet run -c Release --project tests/Rectify.Benchmarks -- notices");
    Console.WriteLine("       dotnet run -c Release --project tests/Rectify.Benchmarks -- validation");
    Console.WriteLine("       dotnet run -c Release --project tests/Rectify.Benchmarks -- audit [entries=1000000] [--postgres=SERVER-CONNECTION-STRING]");
    Console.WriteLine("       dotnet run -c Release --project tests/Rectify.Benchmarks -- templates [rounds=15] [--before=COMMIT]");
    Console.WriteLine("       dotnet run -c Release --project tests/Rectify.Benchmarks -- mixed [notice=10000] [timers=2000] [clients=32]");
    return 1;
}
string? Option(string name) => args.FirstOrDefault(a => a.StartsWith($"--{name}=", StringComparison.Ordinal))?[(name.Length + 3)..];
var positional = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
var findingsPerRound = positional.Count > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 600;
var stored = positional.Count > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 100_000;
var nodes = int.Parse(Option("nodes") ?? "1", CultureInfo.InvariantCulture);
// The dispatcher's timers per transaction (default: the app's Workflows:FireGroupSize), to compare group sizes.
var fireGroup = Option("fire-group");
// Liaisons submitting reports at the same time in the resume rounds: the group commit gathers what arrives together.
// The targets are judged at the default, 4.
var liaisons = int.Parse(Option("liaisons") ?? "4", CultureInfo.InvariantCulture);
var postgres = Option("postgres") ?? (Environment.GetEnvironmentVariable("RECTIFY_BENCH_POSTGRES") is { Length: > 0 } env ? env : null);

// Two databases, one left empty and one with the stored instances, measured in the order empty, stored, stored,
// empty and each reported as the mean of its two rounds: the process warms up (JIT tiers, caches) as it goes, and
// that order gives neither side the warmer rounds. Both are disposed also when a round throws, so the databases made
// on a PostgreSQL server are dropped.
await using var emptyBench = await Bench.CreateAsync(postgres, nodes, fireGroup, liaisons);
await using var storedBench = await Bench.CreateAsync(postgres, nodes, fireGroup, liaisons);
Console.WriteLine($"{emptyBench.Where} and {storedBench.Where}; {nodes} node(s)");
Console.WriteLine($"storing {stored:N0} instances in the second …");
await storedBench.StoreAsync(stored);
var storedTitle = $"{stored:N0} instances stored";
// A whole round on each database first, not counted: until the JIT's tiers and the caches settle, the first rounds
// run slower whatever they measure, and the empty store would pay for them.
await emptyBench.RoundAsync("empty store (warm-up, not counted)", findingsPerRound);
await storedBench.RoundAsync($"{storedTitle} (warm-up, not counted)", findingsPerRound);
var empty1 = await emptyBench.RoundAsync("empty store (1)", findingsPerRound);
var full1 = await storedBench.RoundAsync($"{storedTitle} (1)", findingsPerRound);
var full2 = await storedBench.RoundAsync($"{storedTitle} (2)", findingsPerRound);
var empty2 = await emptyBench.RoundAsync("empty store (2)", findingsPerRound);
var empty = Figures.Mean(empty1, empty2);
var full = Figures.Mean(full1, full2);

Console.WriteLine();
Console.WriteLine($"{emptyBench.Provider}, {nodes} node(s); each column the mean of two rounds");
Console.WriteLine("figure                          empty        stored       stored/empty");
Console.WriteLine($"starts/s (ratio to raw)         {empty.Starts,8:F0} ({empty.Starts / empty.Raw:F3})  {full.Starts,8:F0} ({full.Starts / full.Raw:F3})  {full.Starts / empty.Starts:F2}");
Console.WriteLine($"resumes/s (ratio to raw)        {empty.Resumes,8:F0} ({empty.Resumes / empty.Raw:F3})  {full.Resumes,8:F0} ({full.Resumes / full.Raw:F3})  {full.Resumes / empty.Resumes:F2}");
Console.WriteLine($"timers fired/s (ratio to raw)   {empty.Timers,8:F0} ({empty.Timers / empty.Raw:F3})  {full.Timers,8:F0} ({full.Timers / full.Raw:F3})  {full.Timers / empty.Timers:F2}");
Console.WriteLine($"timer lateness p99 (s)          {empty.LatenessP99,8:F2}          {full.LatenessP99,8:F2}");
Console.WriteLine($"raw single-row tx/s             {empty.Raw,8:F0}          {full.Raw,8:F0}");
using (var process = Process.GetCurrentProcess())
    Console.WriteLine($"process memory with {stored:N0} stored (both databases open): working set {process.WorkingSet64 / 1024 / 1024} MB, managed heap {GC.GetTotalMemory(true) / 1024 / 1024} MB");
Console.WriteLine("targets: starts >= 0.25 of raw; resumes >= 0.10 of raw; timers >= 5,000/s with lateness p99 <= 1 s; stored/empty >= 0.9; memory <= 400 MB");
return 0;

internal sealed record Figures(double Raw, double Starts, double Resumes, double Timers, double LatenessP99)
{
    public static Figures Mean(Figures a, Figures b) =>
        new((a.Raw + b.Raw) / 2, (a.Starts + b.Starts) / 2, (a.Resumes + b.Resumes) / 2, (a.Timers + b.Timers) / 2, (a.LatenessP99 + b.LatenessP99) / 2);
}

internal sealed class Bench : IAsyncDisposable
{
    private const int NoticeSize = 50;
    private readonly List<ServiceProvider> _nodes;
    private readonly FakeTimeProvider _clock;
    private readonly string _directory;
    private readonly DatabaseOptions _database;
    private readonly string? _postgresServer;
    private readonly int _liaisons;
    private List<Unit> _units = [];
    private int _categoryId, _inspectionId;
    private DateOnly _deadline;

    private Bench(List<ServiceProvider> nodes, FakeTimeProvider clock, string directory, DatabaseOptions database, string? postgresServer, int liaisons)
    {
        _nodes = nodes;
        _clock = clock;
        _directory = directory;
        _database = database;
        _postgresServer = postgresServer;
        _liaisons = liaisons;
    }

    /// <summary>The first node: seeding, storing and the queries of the benchmark itself go through it.</summary>
    private ServiceProvider Services => _nodes[0];

    private bool IsPostgres => _database.Provider == DatabaseProvider.Postgres;

    public string Provider => IsPostgres ? "PostgreSQL" : "SQLite";

    public string Where => IsPostgres
        ? $"PostgreSQL database {new NpgsqlConnectionStringBuilder(_database.ConnectionString).Database}"
        : $"SQLite file {SqliteFile}";

    private string SqliteFile => Path.Combine(_directory, "rectify.db");

    private static string RepoRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    /// <summary>
    /// <paramref name="nodes"/> service providers on one new database, sharing one clock as nodes share the wall clock.
    /// One node claims timers as the app does (<see cref="WorkflowOptions.ClaimBatchSize"/>); two claim 250 at a time,
    /// so that both dispatchers get a share of a round.
    /// </summary>
    public static async Task<Bench> CreateAsync(string? postgresServer, int nodes, string? fireGroup, int liaisons)
    {
        var directory = Path.Combine(Path.GetTempPath(), "rectify-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var settings = new Dictionary<string, string?>
        {
            ["Rectify:DataDirectory"] = directory,
            ["Mail:TemplatesDirectory"] = Path.Combine(RepoRoot(), "templates"),
            ["Workflows:DefinitionsPath"] = Path.Combine(RepoRoot(), "workflows"),
        };
        if (nodes > 1)
            settings["Workflows:ClaimBatchSize"] = "250";
        if (fireGroup is not null)
            settings["Workflows:FireGroupSize"] = fireGroup;
        if (postgresServer is not null)
        {
            var name = $"rectify_bench_{Guid.NewGuid():N}"[..30];
            await using (var connection = new NpgsqlConnection(postgresServer))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
                await create.ExecuteNonQueryAsync();
            }
            settings["Database:Provider"] = nameof(DatabaseProvider.Postgres);
            settings["Database:ConnectionString"] = new NpgsqlConnectionStringBuilder(postgresServer) { Database = name }.ConnectionString;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));
        var providers = Enumerable.Range(0, nodes).Select(_ =>
        {
            var services = new ServiceCollection();
            services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
            services.AddSingleton<IConfiguration>(configuration);
            services.AddSingleton<TimeProvider>(clock);
            services.AddRectifyCore(configuration, directory);
            services.AddRectifyMail(configuration);
            services.AddRectifyWorkflows(configuration);
            // Not run here, but its tables are in the schema the migrations build.
            services.AddRectifyDbModule(Rectify.Notices.NoticesModule.Database);
            return services.BuildServiceProvider();
        }).ToList();
        await DatabaseInitializer.MigrateAsync(providers[0]);
        var bench = new Bench(providers, clock, directory, providers[0].GetRequiredService<DatabaseOptions>(), postgresServer, liaisons);
        await bench.SeedAsync();
        return bench;
    }

    private async Task SeedAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        _units = Enumerable.Range(0, _liaisons * 2).Select(i => new Unit
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
        // Warm up every node, not reported: import the definition and JIT every path the rounds time, so the first
        // round measures the same steady state as the second.
        var (ids, _) = await StartRoundAsync(NoticeSize * _nodes.Count);
        await ResumeRoundAsync(ids.Take(NoticeSize * _nodes.Count / 2).ToList());
        await TimerRoundAsync();
    }

    public async Task<Figures> RoundAsync(string title, int count)
    {
        Console.WriteLine($"== {title}");
        // Each round is preceded by the same unmeasured pass (starts, resumes, timers at a quarter of its size), so
        // neither round is measured colder than the other: the first no longer pays for the JIT and the second no
        // longer inherits a cache warmed by storing.
        var (warm, _) = await StartRoundAsync(Math.Max(NoticeSize, count / 4));
        await ResumeRoundAsync(warm.Take(warm.Count / 2).ToList());
        await TimerRoundAsync();
        var raw = await RawRateAsync(TimeSpan.FromSeconds(4));
        Console.WriteLine($"raw single-row transactions: {raw:F0}/s");
        var (ids, starts) = await StartRoundAsync(count);
        Console.WriteLine($"starts: {starts:F0}/s  ratio {starts / raw:F3}");
        // Whether the round is bound by the processor (all cores busy) or by waiting (the turn, the disk).
        double resumes;
        using (var cost = new RoundCost())
        {
            var resumed = ids.Take(count / 2).ToList();
            resumes = await ResumeRoundAsync(resumed);
            Console.WriteLine($"report-submitted resumes ({_liaisons} concurrent): {resumes:F0}/s  ratio {resumes / raw:F3}; {cost.Per(resumed.Count, "resume")}");
        }
        var (timers, lateness) = await TimerRoundAsync();
        Console.WriteLine($"due timers fired: {timers:F0}/s  ratio {timers / raw:F3}  lateness p99 {lateness:F2} s");
        // What each step rewrites whole: the state of the round's instances once their reminders have fired.
        var state = await WithDb(db => db.Set<WorkflowInstance>().Where(i => i.FindingId != null && ids.Contains(i.FindingId.Value)).AverageAsync(i => i.State.Length));
        Console.WriteLine($"instance state after the round: {state:F0} characters on average");
        return new Figures(raw, starts, resumes, timers, lateness);
    }

    /// <summary>BEGIN; one INSERT; COMMIT on one connection to the same database, with the app's connection settings.</summary>
    private async Task<double> RawRateAsync(TimeSpan duration)
    {
        await using DbConnection connection = IsPostgres
            ? new NpgsqlConnection(_database.ConnectionString)
            : new SqliteConnection($"Data Source={SqliteFile};Default Timeout=30");
        await connection.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = IsPostgres
                ? "CREATE TABLE IF NOT EXISTS bench_raw (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text NOT NULL)"
                : "CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, v TEXT NOT NULL)";
            await create.ExecuteNonQueryAsync();
        }
        var watch = Stopwatch.StartNew();
        var n = 0;
        while (watch.Elapsed < duration)
        {
            await using var tx = await connection.BeginTransactionAsync();
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO bench_raw (v) VALUES (@v)";
            var v = insert.CreateParameter();
            v.ParameterName = "@v";
            v.Value = "整改";
            insert.Parameters.Add(v);
            await insert.ExecuteNonQueryAsync();
            await tx.CommitAsync();
            n++;
        }
        return n / watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Drafts are recorded first (not timed); issuing a notice's findings — assign and start — is one transaction.
    /// The nodes issue notices at the same time, each every n-th one.
    /// </summary>
    private async Task<(List<int> Ids, double Rate)> StartRoundAsync(int count)
    {
        _deadline = DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime).AddDays(14);
        List<int> ids;
        await using (var scope = Services.CreateAsyncScope())
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
        var notices = ids.Chunk(NoticeSize).ToList();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(_nodes.Select((node, n) => Task.Run(async () =>
        {
            foreach (var notice in notices.Where((_, i) => i % _nodes.Count == n))
            {
                await using var scope = node.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
                var findings = await db.Set<Finding>().Where(f => notice.Contains(f.Id)).ToListAsync();
                await scope.ServiceProvider.GetRequiredService<IFindingWorkflows>().StartAsync(findings);
                await db.SaveChangesAsync();
            }
        })));
        return (ids, ids.Count / watch.Elapsed.TotalSeconds);
    }

    /// <summary>Liaisons of different units submitting reports at the same time, each a whole user action, spread over the nodes.</summary>
    private async Task<double> ResumeRoundAsync(List<int> ids)
    {
        var byUnit = await WithDb(db => db.Set<Finding>().Where(f => ids.Contains(f.Id)).Select(f => new { f.Id, f.UnitId }).ToListAsync());
        var queue = new ConcurrentQueue<(int Id, int UnitId)>(byUnit.Select(f => (f.Id, f.UnitId)));
        var content = new ReportContent("已整改", true, ["https://www.example.gov.cn/a"], []);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, _liaisons).Select(worker => Task.Run(async () =>
        {
            var node = _nodes[worker % _nodes.Count];
            while (queue.TryDequeue(out var item))
            {
                var actor = new Actor($"liaison-{item.UnitId}", "联络人", UserRole.UnitLiaison, item.UnitId);
                await using var scope = node.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<ActorContext>().Actor = actor;
                await scope.ServiceProvider.GetRequiredService<FindingLifecycle>().SubmitReportAsync(item.Id, content, actor);
            }
        })));
        return ids.Count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Moves the clock past the round's reminders and the deadline; every node's dispatcher fires at once, each due
    /// timer once. A timer's lateness is the time from the clock's move (when all of them fell due) to the commit of
    /// its batch.
    /// </summary>
    private async Task<(double Rate, double LatenessP99)> TimerRoundAsync()
    {
        var due = await WithDb(db => db.Set<Rectify.Workflows.WorkflowTimer>().CountAsync(t => t.DueAt < new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        _clock.SetUtcNow(_clock.GetUtcNow().AddDays(21));
        var lateness = new ConcurrentBag<(double Seconds, int Count)>();
        // Another writer meanwhile, an empty write transaction every 10 ms: how long a user's save waits behind the catch-up.
        await using var probe = new TurnProbe(Services, TimeSpan.FromMilliseconds(10));
        using var cost = new RoundCost();
        var watch = Stopwatch.StartNew();
        var fired = await Task.WhenAll(_nodes.Select(node => Task.Run(() =>
            node.GetRequiredService<TimerDispatcher>().FireDueAsync(batch => lateness.Add((watch.Elapsed.TotalSeconds, batch))))));
        var rate = fired.Sum() / watch.Elapsed.TotalSeconds;
        var spent = fired.Sum() > 0 ? cost.Per(fired.Sum(), "timer") : "";
        await probe.ReportAsync("timers fire");
        if (fired.Sum() > 0)
            Console.WriteLine($"timers' cost: {spent}");
        if (_nodes.Count > 1)
            Console.WriteLine($"timers fired per node: {string.Join(", ", fired)}");
        // What a user's save waits behind one group at most; since this database's first round (warm-ups included).
        Console.WriteLine($"longest timer group write so far: {string.Join(", ", _nodes.Select(n => $"{n.GetRequiredService<TimerDispatcher>().LongestGroupWrite.TotalMilliseconds:F0} ms"))}");
        if (fired.Sum() != due)
            Console.WriteLine($"!! {due} timers were due, {fired.Sum()} fired");
        var counted = 0;
        foreach (var (seconds, count) in lateness.OrderBy(l => l.Seconds))
        {
            counted += count;
            if (counted >= 0.99 * fired.Sum())
                return (rate, seconds);
        }
        return (rate, 0);
    }

    /// <summary>Adds running instances (with a future timer and a bookmark each) and their findings, in one transaction.</summary>
    public async Task StoreAsync(int count)
    {
        var sample = await WithDb(db => db.Set<Rectify.Workflows.WorkflowInstance>().AsNoTracking().OrderBy(i => i.CreatedAt).FirstAsync());
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        var watch = Stopwatch.StartNew();
        if (IsPostgres)
            await StorePostgresAsync(db, sample, count);
        else
            await StoreSqliteAsync(db, sample, count);
        Console.WriteLine($"stored {count:N0} instances in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static string Table<T>(RectifyDb db) => db.Model.FindEntityType(typeof(T))!.GetTableName()!;

    private async Task StoreSqliteAsync(RectifyDb db, Rectify.Workflows.WorkflowInstance sample, int count)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var future = new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var finding = Command(connection, tx, $"""
            INSERT INTO "{Table<Finding>(db)}" (InspectionId, UnitId, CategoryId, Location, Description, Requirement, Severity, Deadline, Status, IsOverdue, QueuedForFollowUp, CreatedAt, CreatedById, UpdatedAt, Version)
            VALUES ({_inspectionId}, $unit, {_categoryId}, '政务公开', '存量问题', '整改', 'Normal', '2027-05-31', 'Assigned', 0, 0, {now}, '', {now}, 1) RETURNING Id
            """, "$unit");
        var instance = Command(connection, tx, $"""
            INSERT INTO "{Table<Rectify.Workflows.WorkflowInstance>(db)}" (Id, DefinitionId, DefinitionVersionId, DefinitionVersion, FindingId, Status, SubStatus, State, CreatedAt, UpdatedAt, Revision)
            VALUES ($id, '{sample.DefinitionId}', '{sample.DefinitionVersionId}', {sample.DefinitionVersion}, $finding, 'Running', 'Suspended', $state, {now}, {now}, 1)
            """, "$id", "$finding", "$state");
        var timer = Command(connection, tx, $"""
            INSERT INTO "{Table<Rectify.Workflows.WorkflowTimer>(db)}" (InstanceId, ActivityExecutionId, ActivityId, DueAt) VALUES ($id, '9', 'waitReport', {future})
            """, "$id");
        var bookmark = Command(connection, tx, $"""
            INSERT INTO "{Table<Rectify.Workflows.WorkflowBookmark>(db)}" (InstanceId, ActivityExecutionId, Name, ActivityId, FindingId, CreatedAt) VALUES ($id, '9', 'ReportSubmitted', 'waitReport', $finding, {now})
            """, "$id", "$finding");
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
    }

    /// <summary>The same rows in one statement: each finding, its instance, its timer and its bookmark.</summary>
    private async Task StorePostgresAsync(RectifyDb db, Rectify.Workflows.WorkflowInstance sample, int count)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand($"""
            WITH f AS (
                INSERT INTO "{Table<Finding>(db)}" ("InspectionId", "UnitId", "CategoryId", "Location", "Description", "Requirement", "Severity", "Deadline", "Status", "IsOverdue", "QueuedForFollowUp", "CreatedAt", "CreatedById", "UpdatedAt", "Version")
                SELECT @inspection, (@units)[1 + g % cardinality(@units)], @category, '政务公开', '存量问题', '整改', 'Normal', DATE '2027-05-31', 'Assigned', false, false, @now, '', @now, 1
                FROM generate_series(0, @count - 1) g
                RETURNING "Id"),
            i AS (
                INSERT INTO "{Table<Rectify.Workflows.WorkflowInstance>(db)}" ("Id", "DefinitionId", "DefinitionVersionId", "DefinitionVersion", "FindingId", "Status", "SubStatus", "State", "CreatedAt", "UpdatedAt", "Revision")
                SELECT replace(gen_random_uuid()::text, '-', ''), @definition, @definitionVersion, @version, f."Id", 'Running', 'Suspended', @state, @now, @now, 1 FROM f
                RETURNING "Id", "FindingId"),
            t AS (
                INSERT INTO "{Table<Rectify.Workflows.WorkflowTimer>(db)}" ("InstanceId", "ActivityExecutionId", "ActivityId", "DueAt")
                SELECT i."Id", '9', 'waitReport', @future FROM i)
            INSERT INTO "{Table<Rectify.Workflows.WorkflowBookmark>(db)}" ("InstanceId", "ActivityExecutionId", "Name", "ActivityId", "FindingId", "CreatedAt")
            SELECT i."Id", '9', 'ReportSubmitted', 'waitReport', i."FindingId", @now FROM i
            """, connection);
        insert.Parameters.AddWithValue("inspection", _inspectionId);
        insert.Parameters.AddWithValue("units", _units.Select(u => u.Id).ToArray());
        insert.Parameters.AddWithValue("category", _categoryId);
        insert.Parameters.AddWithValue("now", _clock.GetUtcNow());
        insert.Parameters.AddWithValue("count", count);
        insert.Parameters.AddWithValue("definition", sample.DefinitionId);
        insert.Parameters.AddWithValue("definitionVersion", sample.DefinitionVersionId);
        insert.Parameters.AddWithValue("version", sample.DefinitionVersion);
        insert.Parameters.AddWithValue("state", sample.State);
        insert.Parameters.AddWithValue("future", new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero));
        insert.CommandTimeout = 600;
        await insert.ExecuteNonQueryAsync();
        // Fresh statistics, as autovacuum would gather them on a server that has been running.
        await using var analyze = new NpgsqlCommand("ANALYZE", connection);
        await analyze.ExecuteNonQueryAsync();
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
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<RectifyDb>());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
            await node.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (_postgresServer is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_postgresServer);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(_database.ConnectionString).Database} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
