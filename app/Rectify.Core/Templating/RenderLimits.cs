namespace Rectify.Templating;

/// <summary>
/// How far one rendering may go, so that an edited template cannot hang a worker or fill its memory.
/// </summary>
public sealed record RenderLimits
{
    public static readonly RenderLimits Default = new();

    /// <summary>Items one <c>for</c> loop may take (ranges included).</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>How deep blocks (if, for, case …) may nest.</summary>
    public int MaxDepth { get; init; } = 20;

    public int MaxOutputCharacters { get; init; } = 500_000;

    /// <summary>Wall-clock time one rendering may take; also stops nested loops that output nothing.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
}
