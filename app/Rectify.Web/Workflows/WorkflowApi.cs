using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Web.Auth;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Timers;

namespace Rectify.Web.Workflows;

public sealed record DemoClockRequest(DateTimeOffset Until);

/// <summary>The finding's workflow timeline, and the demonstration clock for training and acceptance runs.</summary>
public static class WorkflowApi
{
    public static IEndpointRouteBuilder MapWorkflowApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/findings/{id:int}/workflow", async (int id, RectifyDb db, WorkflowTimeline timeline, HttpContext http, CancellationToken ct) =>
        {
            // A liaison asking for another unit's finding gets the same 404 as for a missing one.
            if (!await db.Set<Finding>().VisibleTo(http.User.ToActor()).AnyAsync(f => f.Id == id, ct))
                throw RectifyException.NotFound("finding");
            return await timeline.ForFindingAsync(id, ct) is { } found ? Results.Ok(found) : Results.NoContent();
        }).RequireAuthorization(Policies.SignedIn).WithTags("Workflows")
            .WithSummary("The finding's workflow: current steps, past steps with times, timers still ahead (204 for a draft)");

        var clock = app.MapGroup("/api/workflows/demo-clock").WithTags("Workflows").RequireAuthorization(Policies.Supervisor);
        clock.MapGet("/", (DemoClockControl control) => new { enabled = control.IsEnabled, now = control.Now })
            .WithSummary("Whether the demonstration clock is on, and its time");
        clock.MapPost("/", async (DemoClockRequest request, DemoClockControl control, CancellationToken ct) =>
                await control.AdvanceAsync(request.Until, ct))
            .WithSummary("Moves the demonstration clock forward to 'until', firing every timer due up to it in order");
        return app;
    }
}
