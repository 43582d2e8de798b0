using Rectify.Data;

namespace Rectify.Findings;

/// <summary>
/// Hands the events findings recorded to every <see cref="IFindingEventHandler"/> while this scope's
/// <see cref="RectifyDb"/> saves. The handlers work on that same context, so they cannot be the context's own
/// dependencies: the dispatcher attaches itself to it instead, and every service that changes findings takes it.
/// </summary>
public sealed class FindingEventDispatcher
{
    private readonly IReadOnlyList<IFindingEventHandler> _handlers;

    public FindingEventDispatcher(RectifyDb db, IEnumerable<IFindingEventHandler> handlers)
    {
        _handlers = handlers.ToList();
        db.DispatchEventsWith(this);
    }

    public async Task DispatchAsync(FindingEvent e, CancellationToken cancellationToken)
    {
        foreach (var handler in _handlers)
            await handler.HandleAsync(e, cancellationToken);
    }
}
