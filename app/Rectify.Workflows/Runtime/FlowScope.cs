using System.Text.Json.Serialization;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Runtime;

/// <summary>
/// Elsa's counter-based flow scope: visits per activity and per connection, and whether a connection's last visit
/// was followed. An activity whose forward inbound connections have all been visited since its own last visit is
/// ready; whether it runs or is skipped then depends on its join mode and which of them were followed.
/// </summary>
public sealed class FlowScope
{
    [JsonPropertyName("a")] public Dictionary<string, long> ActivityVisits { get; set; } = [];
    [JsonPropertyName("c")] public Dictionary<string, long> ConnectionVisits { get; set; } = [];
    [JsonPropertyName("f")] public Dictionary<string, bool> LastFollowed { get; set; } = [];

    public void VisitActivity(string activityId) => ActivityVisits[activityId] = ActivityVisits.GetValueOrDefault(activityId) + 1;

    public void VisitConnection(Connection connection, bool followed)
    {
        ConnectionVisits[connection.Key] = ConnectionVisits.GetValueOrDefault(connection.Key) + 1;
        LastFollowed[connection.Key] = followed;
    }

    private long Visits(string activityId) => ActivityVisits.GetValueOrDefault(activityId);
    private long Visits(Connection c) => ConnectionVisits.GetValueOrDefault(c.Key);
    private bool Followed(Connection c) => LastFollowed.GetValueOrDefault(c.Key);

    public bool AllInboundVisited(IReadOnlyList<Connection> inbound, string activityId) =>
        inbound.Count > 0 && inbound.Min(Visits) > Visits(activityId);

    public bool AnyInboundFollowed(IReadOnlyList<Connection> inbound, string activityId)
    {
        if (inbound.Count == 0)
            return false;
        var max = inbound.Max(Visits);
        return max > Visits(activityId) && inbound.Any(c => Visits(c) == max && Followed(c));
    }

    public bool AllInboundFollowed(IReadOnlyList<Connection> inbound, string activityId)
    {
        if (inbound.Count == 0)
            return false;
        var max = inbound.Max(Visits);
        return max > Visits(activityId) && inbound.All(c => Visits(c) == max && Followed(c));
    }

    /// <summary>A WaitAny join ignores a connection it has already answered.</summary>
    public bool AlreadyAnswered(Connection connection) => Visits(connection) <= Visits(connection.TargetId);
}
