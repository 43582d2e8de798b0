using Rectify.Dashboard;
using Rectify.Web.Auth;

namespace Rectify.Web.Dashboard;

/// <summary>/api/dashboard: counts by status and completion rate per unit (a liaison: its unit).</summary>
public static class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dashboard", async (int? inspectionId, DashboardService service, HttpContext http, CancellationToken ct) =>
        {
            var view = await service.GetAsync(http.Actor(), inspectionId, ct);
            return new
            {
                byStatus = view.ByStatus.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
                view.Overdue,
                view.Total,
                view.CompletionRate,
                units = view.Units.Select(u => new { u.UnitId, u.UnitName, u.Total, u.Open, u.Submitted, u.Accepted, u.AcceptedOnTime, u.Overdue, u.CompletionRate }),
            };
        }).RequireAuthorization(Policies.SignedIn).WithTags("Dashboard");
        return app;
    }
}
