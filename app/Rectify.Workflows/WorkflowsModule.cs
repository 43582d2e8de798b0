using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Expressions;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Timers;

namespace Rectify.Workflows;

public static class WorkflowsModule
{
    /// <summary>
    /// The workflow tables; instances, bookmarks and timers are added and removed in bulk (a notice starts a workflow
    /// per finding, a round of timers removes a few per timer and updates an instance per timer).
    /// </summary>
    public static readonly DbModule Database = new("Workflows", typeof(WorkflowsModule).Assembly)
    {
        BulkInserted = [typeof(WorkflowInstance), typeof(WorkflowBookmark), typeof(WorkflowTimer)],
        BulkDeleted = [typeof(WorkflowTimer), typeof(WorkflowBookmark)],
        BulkUpdated = [typeof(WorkflowInstance)],
    };

    /// <summary>
    /// The workflow runtime: activities and their registry, the definition store and import, the runner, the
    /// finding-event handler, the timer dispatcher (a hosted service) and, when configured, the demo clock.
    /// Call after AddRectifyCore (the demo clock wraps the TimeProvider registered there).
    /// </summary>
    public static IServiceCollection AddRectifyWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Workflows");
        services.AddRectifyDbModule(Database);
        services.AddScoped<IFindingWorkflowState, FindingWorkflowState>();
        services.AddScoped<Todo.IWorkflowIncidents, WorkflowIncidents>();
        services.Configure<WorkflowOptions>(section);
        services.Configure<ScriptOptions>(section.GetSection("Scripts"));

        services.AddActivitiesFrom(typeof(ActivityRegistry).Assembly);
        services.AddSingleton<ActivityRegistry>();
        services.AddSingleton<DefinitionValidator>();
        services.AddSingleton<DefinitionCache>();
        services.AddSingleton<ExpressionEvaluator>();

        services.AddScoped<WorkflowServices>();
        services.AddScoped<WorkflowRunner>();
        services.AddScoped<WorkflowDefinitionStore>();
        services.AddScoped<DefinitionImporter>();
        services.AddScoped<WorkflowTimeline>();
        services.AddScoped<PublishedDefinitions>();
        services.AddScoped<IFindingWorkflows, FindingWorkflows>();
        services.AddScoped<IDeadlineSettings, WorkflowDeadlineSettings>();
        services.AddScoped<IFindingEventHandler, WorkflowEventHandler>();

        services.AddSingleton<TimerDispatcher>();
        services.AddSingleton<IStagedRows, StagedLeases<WorkflowTimer>>();
        services.AddHostedService<TimerDispatcherService>();
        services.AddDemoClock(configuration);
        return services;
    }

    /// <summary>
    /// Adds the activity types of <paramref name="assembly"/> to the toolbox and the runtime (see <see cref="ActivityRegistry.In"/>);
    /// call before the app is built. Their services come from the activity's context, so they need no registration here.
    /// </summary>
    public static IServiceCollection AddActivitiesFrom(this IServiceCollection services, System.Reflection.Assembly assembly)
    {
        foreach (var activity in ActivityRegistry.In(assembly))
            services.TryAddEnumerable(ServiceDescriptor.Singleton<Activity>(activity));
        return services;
    }

    /// <summary>
    /// Wraps the app's TimeProvider (the last one registered so far) in a <see cref="DemoClock"/> when enabled; the
    /// Production environment refuses it (the clock stays real, with a warning) unless AllowInProduction is set too.
    /// <see cref="AppClocks"/> always tells the real clock apart. Called again after a test replaces the
    /// TimeProvider, it wraps that one.
    /// </summary>
    public static IServiceCollection AddDemoClock(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Workflows:DemoClock").Get<DemoClockOptions>() ?? new DemoClockOptions();
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(TimeProvider));
        if (!options.Enabled || inner is null)
        {
            services.AddSingleton(sp => new AppClocks(sp.GetRequiredService<TimeProvider>(), null));
            services.AddSingleton(sp => new DemoClockControl(null, options, sp.GetRequiredService<TimerDispatcher>(), sp.GetRequiredService<IServiceScopeFactory>()));
            return services;
        }
        services.AddSingleton(sp =>
        {
            var real = inner.ImplementationInstance as TimeProvider
                ?? inner.ImplementationFactory?.Invoke(sp) as TimeProvider
                ?? TimeProvider.System;
            var environment = sp.GetService<IHostEnvironment>();
            if (environment?.IsProduction() == true && !options.AllowInProduction)
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<DemoClock>()
                    .LogWarning("Workflows:DemoClock:Enabled is refused in Production; set Workflows:DemoClock:AllowInProduction to use it there");
                return new AppClocks(real, null);
            }
            return new AppClocks(real, new DemoClock(real));
        });
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(sp => sp.GetRequiredService<AppClocks>().Current));
        services.AddSingleton(sp => new DemoClockControl(sp.GetRequiredService<AppClocks>().Demo, options,
            sp.GetRequiredService<TimerDispatcher>(), sp.GetRequiredService<IServiceScopeFactory>()));
        return services;
    }
}
