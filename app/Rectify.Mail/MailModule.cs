using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Mail.Outbox;
using Rectify.Mail.Templates;

namespace Rectify.Mail;

public static class MailModule
{
    /// <summary>Registers the templates, the transactional outbox and its sender (a hosted service in the web app).</summary>
    public static IServiceCollection AddRectifyMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MailOptions>(configuration.GetSection("Mail"));
        services.AddSingleton<MailTemplates>();
        services.AddSingleton<TemplateRenderer>();
        services.AddSingleton<MailComposer>();
        services.AddSingleton<MailSender>();
        services.AddScoped<MailOutbox>();
        services.AddScoped<IMailOutbox>(sp => sp.GetRequiredService<MailOutbox>());
        services.AddScoped<OutboxQueries>();
        services.AddSingleton<Findings.IStagedRows, StagedMail>();
        services.AddHostedService<MailSenderService>();
        return services;
    }
}
