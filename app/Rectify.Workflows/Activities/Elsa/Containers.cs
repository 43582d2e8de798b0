namespace Rectify.Workflows.Activities;

/// <summary>What container activities share: finding the activities embedded in them.</summary>
internal static class Containers
{
    /// <summary>The activity embedded under a port (body, then, else …), if any.</summary>
    public static Definitions.ActivityNode? Slot(ActivityContext context, string slot) =>
        context.Definition.Children(context.Node.Id).FirstOrDefault(c => c.Slot == slot);

    /// <summary>The activities of an embedded list (a sequence's activities, a fork's branches), in order.</summary>
    public static IReadOnlyList<Definitions.ActivityNode> List(ActivityContext context, string slot) =>
        context.Definition.Children(context.Node.Id).Where(c => c.Slot == slot).ToList();
}
