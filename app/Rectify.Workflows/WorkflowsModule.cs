using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Rectify.Workflows;

public static class WorkflowsModule
{
    public static IServiceCollection AddRectifyWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}
