using Rectify.Web.Designer;

namespace Rectify.Web.Elsa;

/// <summary>
/// The part of the Elsa 3 server API that Elsa Studio's definition editor and instance viewer call, under /elsa/api,
/// answered from Rectify's own workflow runtime. Every call needs a Studio token (<see cref="StudioTokens"/>):
/// 401 without one; the designer calls need a supervisor's designer token (403 otherwise).
/// </summary>
public static class ElsaApi
{
    public static IServiceCollection AddElsaStudio(this IServiceCollection services)
    {
        services.AddDataProtection();
        services.AddSingleton<StudioTokens>();
        services.AddSingleton<DesignerFiles>();
        services.AddScoped<InstanceReader>();
        return services;
    }

    /// <summary>Maps the designer's static files (/designer/), the Elsa API (/elsa/api) and the Studio routes it links to.</summary>
    public static IEndpointRouteBuilder MapElsaStudio(this IEndpointRouteBuilder app)
    {
        app.MapDesignerFiles();
        app.MapElsaApi();
        // The Studio's own routes, linked from its panels, lead to Rectify's pages. The host pages themselves live
        // under /designer/ because Blazor requires the page address to lie within its base address.
        app.MapGet("/workflows/definitions/{definitionId}/edit", (string definitionId) =>
            Results.Redirect($"/designer/workflows/definitions/{Uri.EscapeDataString(definitionId)}/edit")).ExcludeFromDescription();
        app.MapGet("/workflows/instances/{instanceId}/view", async (string instanceId, InstanceReader instances, CancellationToken ct) =>
            await instances.FindAsync(instanceId, ct) is { FindingId: { } findingId } ? Results.Redirect($"/findings/{findingId}#workflow-viewer") : Results.NotFound())
            .ExcludeFromDescription();
        return app;
    }

    public static IEndpointRouteBuilder MapElsaApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/elsa/api")
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(Security.RequestLimits.DesignerBytes))
            .ExcludeFromDescription()
            .AddEndpointFilter<StudioTokenFilter>();
        var design = api.MapGroup("").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Grant().CanDesign ? await next(context) : StudioGrantExtensions.Forbidden());

        api.MapDescriptorsApi();
        api.MapWorkflowDefinitionsApi(design);
        api.MapWorkflowInstancesApi();
        api.MapActivityExecutionsApi();
        return app;
    }
}
