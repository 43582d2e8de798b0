using Microsoft.EntityFrameworkCore;
using Rectify.Data;
using Rectify.Reports;

namespace Rectify.Findings;

/// <summary>
/// A tracked finding's collections, each read by a compiled query on the finding's id. Not an Include: an included
/// collection's statement repeats the finding's joins and query filters, and SQLite prepares every statement anew each
/// time it runs, a cost every submitted report and every review paid. The rows are tracked, so the tracker fixes them
/// up into the finding's collection, and the collection is marked loaded as an Include would.
/// </summary>
public static class FindingParts
{
    // With their evidence: a change needs it, and a mail's finding then has it too, at one join more.
    private static readonly CompiledPerModel<Func<RectifyDb, int, IAsyncEnumerable<RectificationReport>>> ReportsOf =
        new(() => EF.CompileAsyncQuery((RectifyDb db, int findingId) => db.Set<RectificationReport>().Include(r => r.Evidence).Where(r => r.FindingId == findingId)));
    private static readonly CompiledPerModel<Func<RectifyDb, int, IAsyncEnumerable<ExtensionRequest>>> ExtensionRequestsOf =
        new(() => EF.CompileAsyncQuery((RectifyDb db, int findingId) => db.Set<ExtensionRequest>().Where(x => x.FindingId == findingId)));

    public static async Task LoadReportsAsync(RectifyDb db, Finding finding, CancellationToken ct)
    {
        await DrainAsync(ReportsOf.For(db)(db, finding.Id), ct);
        MarkLoaded(db, finding, nameof(Finding.Reports));
    }

    public static async Task LoadExtensionRequestsAsync(RectifyDb db, Finding finding, CancellationToken ct)
    {
        await DrainAsync(ExtensionRequestsOf.For(db)(db, finding.Id), ct);
        MarkLoaded(db, finding, nameof(Finding.ExtensionRequests));
    }

    private static void MarkLoaded(RectifyDb db, Finding finding, string collection)
    {
        // Which navigations are loaded is the tracker's to say, not a property change to detect: Entry() would
        // otherwise compare every property and collection of the finding.
        using (db.ChangesAlreadyDetected())
            db.Entry(finding).Collection(collection).IsLoaded = true;
    }

    // Reading the rows is what tracks them.
    private static async Task DrainAsync<T>(IAsyncEnumerable<T> rows, CancellationToken ct)
    {
        await foreach (var _ in rows.WithCancellation(ct))
        {
        }
    }
}
