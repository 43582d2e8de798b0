using System.Runtime.CompilerServices;
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
using Rectify.Workflows;

namespace Rectify.Notices.Tests;

/// <summary>
/// A real database with the notices, the mail outbox and the workflow runtime wired as in the app, plus the
/// units and categories of seeds 000 and 004.
/// </summary>
public sealed class NoticeTestBed : IAsyncDisposable
{
    public static readonly string[] UnitNames = ["教育局", "科技局", "住交局", "卫健委", "马塘街道"];
    public static readonly string[] CategoryNames = ["主动公开", "政策解读", "政务新媒体", "互动服务"];

    public required TestDatabase Db { get; init; }
    public required Dictionary<string, int> Units { get; init; }
    public required Dictionary<string, int> Categories { get; init; }

    /// <param name="settings">More settings for the app's configuration.</param>
    /// <param name="more">More services (registered after the app's own).</param>
    public static async Task<NoticeTestBed> CreateAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? more = null)
    {
        var db = await DatabaseAsync(settings, more);
        var (units, categories) = await db.WithDbAsync(async ctx =>
        {
            var units = UnitNames.Select((n, i) => { var u = Sample.Unit(n); u.SortOrder = i; return u; }).ToList();
            units[0].Aliases = "区教育局、教体局";
            ctx.AddRange(units);
            var categories = CategoryNames.Select((n, i) => new Category { Name = n, SortOrder = i }).ToList();
            ctx.AddRange(categories);
            await ctx.SaveChangesAsync();
            return (units.ToDictionary(u => u.Name, u => u.Id), categories.ToDictionary(c => c.Name, c => c.Id));
        });
        return new NoticeTestBed { Db = db, Units = units, Categories = categories };
    }

    /// <summary>The database and services alone, without units or categories; <paramref name="migrate"/> false leaves it empty.</summary>
    public static Task<TestDatabase> DatabaseAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? more = null, bool migrate = true) =>
        TestDatabase.CreateAsync((services, configuration) =>
        {
            more?.Invoke(services);
            services.AddRectifyMail(configuration);
            services.AddRectifyWorkflows(configuration);
            services.AddRectifyNotices(configuration);
        }, new Dictionary<string, string?>
        {
            ["Mail:TemplatesDirectory"] = Path.Combine(RepositoryRoot(), "templates"),
            ["Mail:BaseUrl"] = "https://rectify.example.gov.cn",
        }.Concat(settings ?? new Dictionary<string, string?>()).ToDictionary(), migrate: migrate);

    public static string RepositoryRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", ".."));

    public async Task<int> InspectionAsync(string title, DateOnly start, DateOnly end, params (string Unit, string Category, string Description, DateOnly Deadline)[] findings) =>
        await Db.WithDbAsync(async db =>
        {
            var inspection = new Inspection { Title = title, Kind = InspectionKind.ThirdPartyCheck, PeriodStart = start, PeriodEnd = end, CreatedAt = db.Time.GetUtcNow() };
            db.Add(inspection);
            foreach (var (unit, category, description, deadline) in findings)
            {
                db.Add(new Finding
                {
                    Inspection = inspection,
                    UnitId = Units[unit],
                    CategoryId = Categories[category],
                    Location = $"{unit}-政府信息公开-{category}",
                    Description = description,
                    Requirement = "及时更新并规范发布",
                    Deadline = deadline,
                    CreatedAt = db.Time.GetUtcNow(),
                });
            }
            await db.SaveChangesAsync();
            return inspection.Id;
        });

    public async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> work, Actor? actor = null)
    {
        await using var scope = Db.Scope(actor ?? Sample.Auditor);
        return await work(scope.ServiceProvider);
    }

    public Task<int> FindingIdAsync(string description) =>
        Db.WithDbAsync(db => db.Set<Finding>().Where(f => f.Description == description).Select(f => f.Id).SingleAsync());

    public async Task<int> DraftAsync(string number, DateOnly date, params int[] inspectionIds) =>
        await WithAsync(async sp =>
        {
            var notices = sp.GetRequiredService<NoticeService>();
            var draft = notices.NewDraft(inspectionIds, new DateOnly(date.Year, date.Month, 1), new DateOnly(date.Year, date.Month, 1).AddMonths(1).AddDays(-1), "区政务公开办")
                with { Number = number, Date = date };
            return (await notices.CreateDraftAsync(draft, Sample.Auditor)).Id;
        });

    /// <summary>The unit of a finding submits a report at <paramref name="submitAt"/>; the auditor accepts it at <paramref name="acceptAt"/>, if given.</summary>
    public async Task ReportAsync(string description, DateTimeOffset submitAt, DateTimeOffset? acceptAt)
    {
        var id = await FindingIdAsync(description);
        var unitId = await Db.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.UnitId).SingleAsync());
        Db.Clock.SetUtcNow(submitAt);
        var report = await WithAsync(sp => sp.GetRequiredService<FindingLifecycle>()
            .SubmitReportAsync(id, new ReportContent("已更新栏目内容", true, ["https://www.example.gov.cn/xxgk/1.html"], []), Sample.LiaisonOf(unitId)), Sample.LiaisonOf(unitId));
        if (acceptAt is { } at)
        {
            Db.Clock.SetUtcNow(at);
            await WithAsync(sp => sp.GetRequiredService<FindingLifecycle>().ReviewAsync(id, report.Id, true, "整改到位", Sample.Auditor));
        }
    }

    public async ValueTask DisposeAsync() => await Db.DisposeAsync();
}
