using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Reports;
using Rectify.Testing;
using Rectify.Units;
using Rectify.Workflows.Timers;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>SQLite's one writer: every writer of the process takes the same turn, so none waits on the file lock.</summary>
public class WriterTurnTests
{
    // The turn is SQLite's matter (PostgreSQL writers do not exclude each other): this runs on a file in both passes.
    private static readonly Dictionary<string, string?> OnSqlite = new() { ["Database:Provider"] = "Sqlite", ["Database:ConnectionString"] = "" };

    [Fact]
    public async Task Writers_arriving_during_a_long_write_queue_for_the_turn_and_then_all_commit()
    {
        await using var database = await CreateAsync(OnSqlite);
        var (units, category, inspection) = await SeedAsync(database);
        await StartAsync(database, _ => units.Select(u => Sample.Finding(u, category, inspection, new DateOnly(2026, 3, 13))));
        database.Clock.SetUtcNow(Local(3, 10, 12));
        var unit = units[0];
        var findingId = await database.WithDbAsync(db => db.Set<Finding>().Where(f => f.UnitId == unit.Id).Select(f => f.Id).SingleAsync());

        // The long writer: a transaction holding SQLite's write lock (as a big notice's issue does) and the turn.
        await using var holder = database.Scope();
        var db = holder.ServiceProvider.GetRequiredService<RectifyDb>();
        var transaction = await db.BeginWriteTransactionAsync();
        db.Add(new Unit { Name = "长事务中新增的单位", Leader = new Contact { Name = "负责人", Email = "l@example.gov.cn" }, Liaison = new Contact { Name = "联络人", Email = "c@example.gov.cn" } });
        await db.SaveChangesAsync();

        // A timer claim (a raw UPDATE) and a liaison's report (a whole user action) arrive meanwhile.
        var claim = Task.Run(() => database.Services.GetRequiredService<TimerDispatcher>().ClaimAsync());
        var liaison = Sample.LiaisonOf(unit.Id);
        var submit = Task.Run(() => As(database, liaison, sp => sp.GetRequiredService<FindingLifecycle>().SubmitReportAsync(findingId, Report(), liaison)));
        var turn = SqliteWriterTurn.Of(db.Database.GetConnectionString()!);
        // Either both queue at the turn, or one of them went to the file lock and finishes (or fails) on its own.
        while (turn.Queued < 2 && !claim.IsCompleted && !submit.IsCompleted)
            await Task.Delay(20);
        Assert.False(claim.IsCompleted);
        Assert.False(submit.IsCompleted);
        Assert.Equal(2, turn.Queued);

        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        // The due reminders, less the report's own when the report took the turn first (a report ends the reminders).
        Assert.InRange((await claim).Count, units.Count - 1, units.Count);
        Assert.Equal(ReviewDecision.Pending, (await submit).Decision);
        Assert.Equal(0, turn.Queued);
        Assert.Equal(FindingStatus.Submitted, await database.WithDbAsync(d => d.Set<Finding>().Where(f => f.Id == findingId).Select(f => f.Status).SingleAsync()));
        Assert.True(await database.WithDbAsync(d => d.Set<Unit>().AnyAsync(u => u.Name == "长事务中新增的单位")));
    }
}
