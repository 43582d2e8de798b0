using Rectify.Auditing;

namespace Rectify.Web.Auth;

/// <summary>Makes the signed-in user the actor of the request, so services and audit events name them.</summary>
public static class ActorMiddleware
{
    public static IApplicationBuilder UseActorContext(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true)
            context.RequestServices.GetRequiredService<ActorContext>().Actor = context.User.ToActor();
        return next(context);
    });

    /// <summary>The actor of the current request (endpoints take it from here rather than re-reading claims).</summary>
    public static Actor Actor(this HttpContext context) => context.RequestServices.GetRequiredService<ActorContext>().Actor;
}
