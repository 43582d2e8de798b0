using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Mail.Outbox;
using Rectify.Testing;
using Rectify.Units;
using System.Globalization;

namespace Rectify.Mail.Tests;

/// <summary>A test database with the mail module, sending to <paramref name="smtpPort"/> (or writing .eml files when null).</summary>
internal sealed class MailHost : IAsyncDisposable
{
    public const string BaseUrl = "http://rectify.test:5080";

    private MailHost(TestDatabase database) => Database = database;

    public TestDatabase Database { get; }
    public MailSender Sender => Database.Services.GetRequiredService<MailSender>();

    public static async Task<MailHost> StartAsync(int? smtpPort, IDictionary<string, string?>? settings = null, string? directory = null, DateTimeOffset? start = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Mail:BaseUrl"] = BaseUrl,
            ["Mail:From"] = "区政务公开办 <zwgk@rectify.test>",
            ["Mail:TemplatesDirectory"] = Repo.Path("templates"),
            ["Mail:Smtp:Host"] = smtpPort is null ? null : "127.0.0.1",
            ["Mail:Smtp:Port"] = smtpPort?.ToString(CultureInfo.InvariantCulture),
            ["Mail:Smtp:Security"] = "None",
            ["Mail:Smtp:Timeout"] = "00:00:10",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            all[k] = v;
        var database = await TestDatabase.CreateAsync((services, configuration) => services.AddRectifyMail(configuration), all, start, directory);
        return new MailHost(database);
    }

    /// <summary>Queues in one scope and saves once, like a caller's transaction.</summary>
    public async Task EnqueueAsync(params MailRequest[] requests)
    {
        await using var scope = Database.Scope();
        var outbox = scope.ServiceProvider.GetRequiredService<IMailOutbox>();
        foreach (var request in requests)
            await outbox.EnqueueAsync(request);
        await scope.ServiceProvider.GetRequiredService<RectifyDb>().SaveChangesAsync();
    }

    public Task<List<OutboxMessage>> MessagesAsync() =>
        Database.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.Id).ToListAsync());

    public Task<List<OutboxAttempt>> AttemptsAsync() =>
        Database.WithDbAsync(db => db.Set<OutboxAttempt>().AsNoTracking().OrderBy(m => m.Id).ToListAsync());

    /// <summary>Units named like the seeds, and <paramref name="findingsPerUnit"/> assigned findings each.</summary>
    public async Task<(List<Unit> Units, List<Finding> Findings)> SeedAsync(int findingsPerUnit, params string[] unitNames)
    {
        await using var scope = Database.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RectifyDb>();
        var (units, category, inspection) = await Sample.SeedAsync(db, unitNames);
        var findings = new List<Finding>();
        foreach (var unit in units)
        {
            for (var i = 1; i <= findingsPerUnit; i++)
            {
                var f = Sample.Finding(unit, category, inspection, new DateOnly(2026, 3, 10), $"{unit.Name}第{i}项问题：招生计划目录本年度未更新");
                f.Status = FindingStatus.Assigned;
                findings.Add(f);
            }
        }
        db.AddRange(findings);
        await db.SaveChangesAsync();
        return (units, findings);
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
