using Rectify.Data;

namespace Rectify.Findings;

/// <summary>
/// Hands the events findings recorded to every <see cref="IFindingEventHandler"/> while this scope's
/// <see cref="RectifyDb"/> saves. The handlers work on that same context, so they cannot be the context's own
/// dependencies: the scope hands the context a way to this dispatcher when it rents it (<see cref="CoreModule"/>),
/// and the context resolves it at its first dispatch, once the context itself exists.
/// </summary>
public sealed class FindingEventDispatcher(IEnumerable<IFindingEventHandler> handlers)
{
    private readonly IReadOnlyList<IFindingEventHandler> _handlers = handlers.ToList();

    public async Task DispatchAsync(FindingEvent e, CancellationToken cancellationToken)
    {
        foreach (var handler in _handlers)
            await handler.HandleAsync(e, cancellationToken);
    }
}
