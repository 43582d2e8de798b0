using Microsoft.Playwright;

namespace Rectify.Designer.Tests;

/// <summary>What a person does on the Studio's canvas, made to wait for what they would see.</summary>
public static class StudioCanvas
{
    /// <summary>
    /// Waits until the canvas shows at least <paramref name="count"/> activities. It draws them over several frames, so
    /// one drawn does not mean all are (seen on a loaded CI machine: fewer counted just after the first appeared).
    /// </summary>
    public static Task DrawnAsync(IPage page, int count, float timeout) =>
        Assertions.Expect(page.Locator("g.x6-node[data-cell-id]").Nth(count - 1)).ToBeAttachedAsync(new() { Timeout = timeout });

    /// <summary>
    /// Clicks an activity until its properties show. Right after the diagram first renders, the Studio may not yet
    /// listen for selection (seen on a loaded CI machine), so a click that opened nothing is made again.
    /// </summary>
    public static async Task SelectAsync(ILocator activity, ILocator shown, int attempts = 6)
    {
        for (var attempt = 1; ; attempt++)
        {
            await activity.Locator("foreignObject").ClickAsync(new() { Force = true });
            try
            {
                await shown.First.WaitForAsync(new() { Timeout = 10_000 });
                return;
            }
            catch (TimeoutException) when (attempt < attempts)
            {
            }
        }
    }
}
