using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Rectify.Notices.Spreadsheets;
using Rectify.Time;

namespace Rectify.Notices;

public static class NoticesModule
{
    /// <summary>The notices' tables; a notice's finding list is written in bulk (a notice lists up to thousands).</summary>
    public static readonly DbModule Database = new("Notices", typeof(NoticesModule).Assembly)
    {
        BulkInserted = [typeof(NoticeFinding)],
        TextLimits = new Dictionary<string, IReadOnlyDictionary<string, TextLimit>>
        {
            ["Notice"] = new Dictionary<string, TextLimit>
            {
                ["Title"] = new(300, "通报标题", "title"),
                ["Number"] = new(100, "文号", "number"),
                ["Office"] = new(TextLimits.Name, "发文单位", "office"),
                ["Addressees"] = new(TextLimits.Paragraph, "主送单位", "addressees"),
                ["Introduction"] = new(TextLimits.Document, "通报正文", "introduction"),
                ["Requirements"] = new(TextLimits.Document, "工作要求", "requirements"),
                ["Attachments"] = new(TextLimits.Paragraph, "附件说明", "attachments"),
                ["ContactLine"] = new(TextLimits.Line, "联系方式", "contact line"),
            },
        },
    };

    /// <summary>
    /// Registers notices (drafting, issuing, exports) and the spreadsheet import. Needs an <see cref="Workflows.IFindingWorkflows"/>
    /// (AddRectifyWorkflows) and an <see cref="Mail.IMailOutbox"/> (AddRectifyMail) to issue.
    /// </summary>
    public static IServiceCollection AddRectifyNotices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => new NoticeTemplates(configuration, sp.GetRequiredService<OfficeClock>(), sp.GetRequiredService<TimeProvider>()));
        services.AddRectifyDbModule(Database);
        services.AddSingleton<Rectify.Auditing.IAuditAnchors, NoticeAuditAnchors>();
        services.Configure<NoticeOptions>(configuration.GetSection("Notices"));
        services.AddSingleton<NoticePdf>();
        services.AddScoped<NoticeComposer>();
        services.AddScoped<NoticeService>();
        services.AddScoped<FindingSheets>();
        services.AddScoped<FindingImporter>();
        services.AddSingleton<ImportJobs>();
        return services;
    }
}
