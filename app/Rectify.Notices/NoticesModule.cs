using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Notices.Spreadsheets;
using Rectify.Time;

namespace Rectify.Notices;

public static class NoticesModule
{
    /// <summary>
    /// Registers notices (drafting, issuing, exports) and the spreadsheet import. Needs an <see cref="Workflows.IFindingWorkflows"/>
    /// (AddRectifyWorkflows) and an <see cref="Mail.IMailOutbox"/> (AddRectifyMail) to issue.
    /// </summary>
    public static IServiceCollection AddRectifyNotices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => new NoticeTemplates(configuration, sp.GetRequiredService<OfficeClock>(), sp.GetRequiredService<TimeProvider>()));
        services.Configure<NoticeOptions>(configuration.GetSection("Notices"));
        services.AddSingleton<NoticePdf>();
        services.AddScoped<NoticeComposer>();
        services.AddScoped<NoticeService>();
        services.AddScoped<FindingSheets>();
        services.AddScoped<FindingImporter>();
        services.AddSingleton<ImportJobs>();
        services.AddHostedService<StagedIssueRecovery>();
        return services;
    }
}
