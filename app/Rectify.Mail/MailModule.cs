using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Rectify.Mail;

public static class MailModule
{
    public static IServiceCollection AddRectifyMail(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}
