using Rectify.Auditing;
using Rectify.Data;

namespace Rectify.Web.Audit;

/// <summary>
/// <c>dotnet Rectify.Web.dll -- audit verify</c>: migrates the database (with the app's settings), checks the whole
/// audit chain and the heads recorded by issued notices, prints the outcome and exits 0 when intact, 2 when not.
/// </summary>
public static class AuditCommand
{
    public const int Broken = 2;

    public static async Task<int> VerifyAsync(WebApplication app, TextWriter output)
    {
        await DatabaseInitializer.MigrateAsync(app.Services);
        await using var scope = app.Services.CreateAsyncScope();
        var report = await AuditChain.VerifyAsync(scope.ServiceProvider.GetRequiredService<RectifyDb>(),
            scope.ServiceProvider.GetRequiredService<IAuditAnchors>());
        output.WriteLine($"Checked {report.Entries:N0} audit entries and the heads of {report.NoticesChecked} issued notices in {report.Elapsed.TotalSeconds:F2} s.");
        if (report.Head is { } head)
            output.WriteLine($"Head: sequence {head.Sequence}, SHA-256 {head.Hash}");
        if (report.FirstBreak is { } first)
        {
            output.WriteLine($"BROKEN: {first.MessageEn}");
            output.WriteLine($"  that entry says: {first.At:u} {first.ActorName} {first.Action} {first.EntityType} {first.EntityId}");
            output.WriteLine($"  {report.BrokenEntries:N0} entries fail a check in all.");
        }
        foreach (var anchor in report.AnchorBreaks)
            output.WriteLine($"BROKEN: notice {anchor.Number} (id {anchor.NoticeId}) recorded head sequence {anchor.Sequence}, {anchor.Hash}, which the chain no longer holds.");
        if (report.IsIntact)
            output.WriteLine("Audit chain intact.");
        return report.IsIntact ? 0 : Broken;
    }
}
