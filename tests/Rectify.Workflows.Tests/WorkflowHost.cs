global using Xunit;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Auditing;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Mail;
using Rectify.Testing;
using Rectify.Units;
using Rectify.Users;
using Rectify.Workflows.Timers;

namespace Rectify.Workflows.Tests;

/// <summary>A test database with the mail outbox and the workflow runtime wired, and helpers to drive findings through it.</summary>
public static class WorkflowHost
{
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    /// <param name="more">More services, registered after the modules (e.g. an activity of a test).</param>
    public static Task<TestDatabase> CreateAsync(IDictionary<string, string?>? settings = null, string? directory = null, DateTimeOffset? start = null,
        Action<IServiceCollection>? more = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Mail:TemplatesDirectory"] = Path.Combine(RepoRoot, "templates"),
            ["Workflows:DefinitionsPath"] = Path.Combine(RepoRoot, "workflows"),
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            all[k] = v;
        return TestDatabase.CreateAsync((services, configuration) =>
        {
            services.AddRectifyMail(configuration);
            services.AddRectifyWorkflows(configuration);
            more?.Invoke(services);
        }, all, start, directory);
    }

    /// <summary>Units, a category, an inspection, and an active supervisor and auditor with addresses.</summary>
    public static async Task<(List<Unit> Units, Category Category, Inspection Inspection)> SeedAsync(TestDatabase database)
    {
        return await database.WithDbAsync(async db =>
        {
            var seeded = await Sample.SeedAsync(db);
            db.Add(new AppUser { UserName = "sup", Email = "supervisor@example.gov.cn", DisplayName = "主管", Role = UserRole.Supervisor });
            db.Add(new AppUser { UserName = "aud", Email = "auditor@example.gov.cn", DisplayName = "审核员", Role = UserRole.Auditor });
            await db.SaveChangesAsync();
            return seeded;
        });
    }

    /// <summary>Saves draft findings and starts their workflows in one transaction, as issuing a notice does.</summary>
    public static async Task<List<int>> StartAsync(TestDatabase database, Func<RectifyDb, IEnumerable<Finding>> create, string? definitionId = null)
    {
        await using var scope = database.Scope(Sample.Supervisor);
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        var findings = create(db).ToList();
        foreach (var f in findings)
            f.CreatedAt = f.UpdatedAt = database.Clock.GetUtcNow();
        db.AddRange(findings);
        await db.SaveChangesAsync();
        await scope.ServiceProvider.GetRequiredService<IFindingWorkflows>().StartAsync(findings, definitionId);
        await db.SaveChangesAsync();
        return findings.Select(f => f.Id).ToList();
    }

    /// <summary>
    /// Publishes a definition (refusals throw <see cref="Definitions.WorkflowDefinitionException"/>) and starts it for a
    /// new finding with the given workflow inputs, in one transaction; seeds units and users on first use.
    /// </summary>
    public static async Task<WorkflowInstance> PublishAndStartAsync(TestDatabase database, string json, IReadOnlyDictionary<string, JsonNode?>? input = null)
    {
        if (!await database.WithDbAsync(db => db.Set<Unit>().AnyAsync()))
            await SeedAsync(database);
        await using var scope = database.Scope(Sample.Supervisor);
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<RectifyDb>();
        var version = await services.GetRequiredService<Definitions.WorkflowDefinitionStore>().SaveAndPublishAsync(json);
        var finding = Sample.Finding(await db.Set<Unit>().FirstAsync(), await db.Set<Category>().FirstAsync(), await db.Set<Inspection>().FirstAsync(), new DateOnly(2026, 3, 13));
        finding.CreatedAt = finding.UpdatedAt = database.Clock.GetUtcNow();
        db.Add(finding);
        await db.SaveChangesAsync();
        var definition = services.GetRequiredService<Definitions.DefinitionCache>().Parsed(version);
        var instance = await services.GetRequiredService<Runtime.WorkflowRunner>().StartAsync(finding, version, definition, default, input);
        await db.SaveChangesAsync();
        return instance;
    }

    /// <summary>Publishes a definition (refusals throw <see cref="Definitions.WorkflowDefinitionException"/>).</summary>
    public static Task<WorkflowDefinitionVersion> PublishAsync(TestDatabase database, string json) =>
        As(database, Sample.Supervisor, services => services.GetRequiredService<Definitions.WorkflowDefinitionStore>().SaveAndPublishAsync(json));

    /// <summary>
    /// Resumes every bookmark of an instance until it finishes or waits for nothing more, as Elsa's test helper
    /// RunWorkflowUntilEndAsync does. Returns how many bookmarks were resumed.
    /// </summary>
    public static async Task<int> ResumeBookmarksUntilEndAsync(TestDatabase database, string instanceId)
    {
        var resumed = 0;
        while (true)
        {
            var bookmarks = await database.WithDbAsync(db => db.Set<WorkflowBookmark>().AsNoTracking().Where(b => b.InstanceId == instanceId).ToListAsync());
            var (stored, _) = await InstanceAsync(database, instanceId);
            if (bookmarks.Count == 0 || stored.Status == WorkflowStatus.Finished)
                return resumed;
            foreach (var bookmark in bookmarks)
            {
                await using var scope = database.Scope(Actor.Workflow);
                var services = scope.ServiceProvider;
                var db = services.GetRequiredService<RectifyDb>();
                var instance = await db.Set<WorkflowInstance>().SingleAsync(i => i.Id == instanceId);
                var finding = await db.Set<Finding>().SingleAsync(f => f.Id == instance.FindingId);
                var definition = await services.GetRequiredService<Definitions.DefinitionCache>().ParsedAsync(db, instance.DefinitionVersionId, default);
                if (await services.GetRequiredService<Runtime.WorkflowRunner>().ResumeAsync(instance, definition, finding, [bookmark.ActivityExecutionId], new Activities.Signal(bookmark.Name), default))
                    resumed++;
                await db.SaveChangesAsync();
            }
        }
    }

    /// <summary>The stored row and state of an instance.</summary>
    public static async Task<(WorkflowInstance Instance, Runtime.InstanceState State)> InstanceAsync(TestDatabase database, string instanceId)
    {
        var instance = await database.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().SingleAsync(i => i.Id == instanceId));
        return (instance, Runtime.InstanceState.Read(instance.State));
    }

    /// <summary>The lines WriteLine activities wrote to an instance's journal, in order.</summary>
    public static List<string> Lines(Runtime.InstanceState state) =>
        state.Journal.Where(j => j.EventName == "WriteLine").Select(j => j.Message ?? "").ToList();

    /// <summary>Moves the fake clock to each due timer in turn up to <paramref name="until"/>, firing what is due there, as real time would.</summary>
    public static async Task<int> AdvanceAsync(TestDatabase database, DateTimeOffset until, TimerDispatcher? dispatcher = null)
    {
        dispatcher ??= database.Services.GetRequiredService<TimerDispatcher>();
        var fired = 0;
        while (true)
        {
            // A timer leased by a dead node becomes claimable once its lease has run out.
            var due = await database.WithDbAsync(db => db.Set<WorkflowTimer>().Where(t => t.DueAt <= until).ToListAsync());
            var next = due.Select(t => t.LeaseUntil is { } lease && lease >= t.DueAt ? lease.AddMilliseconds(1) : t.DueAt)
                .Where(t => t <= until).Order().Cast<DateTimeOffset?>().FirstOrDefault();
            if (next is null)
                break;
            if (next > database.Clock.GetUtcNow())
                database.Clock.SetUtcNow(next.Value);
            var firedNow = await dispatcher.FireDueAsync();
            Assert.True(firedNow > 0, $"A timer due at {next} did not fire.");
            fired += firedNow;
        }
        if (until > database.Clock.GetUtcNow())
            database.Clock.SetUtcNow(until);
        return fired;
    }

    /// <summary>The outbox as (template, recipient kind, queued at) in order.</summary>
    public static Task<List<(string Template, RecipientKind Kind, DateTimeOffset At, int? FindingId)>> MailAsync(TestDatabase database) =>
        database.WithDbAsync(async db => (await db.Set<OutboxMessage>().OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync())
            .Select(m => (m.Template, m.RecipientKind, m.CreatedAt, m.FindingId)).ToList());

    /// <summary>A local time in the office's zone (Asia/Shanghai, +08:00) as an instant.</summary>
    public static DateTimeOffset Local(int month, int day, int hour, int minute = 0, int year = 2026) =>
        new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.FromHours(8)).ToUniversalTime();

    public static async Task<T> As<T>(TestDatabase database, Actor actor, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = database.Scope(actor);
        return await work(scope.ServiceProvider);
    }

    public static ReportContent Report(string measures = "已更新招生计划栏目并发布本年度信息") =>
        new(measures, true, ["https://www.example.gov.cn/zsjh/2026"], []);
}
