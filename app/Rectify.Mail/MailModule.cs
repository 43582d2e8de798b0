using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Rectify.Mail.Outbox;
using Rectify.Mail.Templates;

namespace Rectify.Mail;

public static class MailModule
{
    /// <summary>The outbox's tables; a save appends its messages in bulk (issuing a notice queues thousands).</summary>
    public static readonly DbModule Database = new("Mail", typeof(MailModule).Assembly) { BulkAppended = [typeof(OutboxMessage)] };

    /// <summary>Registers the templates, the transactional outbox and its sender (a hosted service in the web app).</summary>
    public static IServiceCollection AddRectifyMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRectifyDbModule(Database);
        services.AddScoped<Todo.IFailedMails, FailedMails>();
        services.Configure<MailOptions>(configuration.GetSection("Mail"));
        services.AddSingleton<MailTemplates>();
        services.AddSingleton<TemplateRenderer>();
        services.AddSingleton<MailComposer>();
        services.AddSingleton<MailSender>();
        services.AddScoped<MailOutbox>();
        services.AddScoped<IMailOutbox>(sp => sp.GetRequiredService<MailOutbox>());
        services.AddScoped<OutboxQueries>();
        services.AddSingleton<Findings.IStagedRows, Findings.StagedLeases<OutboxMessage>>();
        services.AddHostedService<MailSenderService>();
        return services;
    }
}
