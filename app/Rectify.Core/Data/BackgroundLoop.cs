namespace Rectify.Data;

/// <summary>
/// Starts a loop that serves every writer of a database (group commit, checkpoints) without the context of the one
/// that happened to start it: that writer's request trace, logging scope and async-local state stay its own.
/// </summary>
internal static class BackgroundLoop
{
    public static void Start(Func<Task> loop)
    {
        using (ExecutionContext.SuppressFlow())
            _ = Task.Run(loop);
    }
}
