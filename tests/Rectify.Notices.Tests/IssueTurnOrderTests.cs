using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Testing;

namespace Rectify.Notices.Tests;

/// <summary>
/// SQLite's writer turn between the chunks of a big notice: a short write that arrives while a chunk is being written
/// goes next, before the notice's following chunk, so it waits for one chunk at most — shown by the order of the
/// commits, not by a clock.
/// </summary>
public sealed class IssueTurnOrderTests : IAsyncLifetime
{
    // The turn is SQLite's matter (PostgreSQL writers do not exclude each other): this runs on a file in both passes.
    private static readonly Dictionary<string, string?> OnSqlite = new() { ["Database:Provider"] = "Sqlite", ["Database:ConnectionString"] = "" };

    private readonly ChunkProbe _probe = new();
    private NoticeTestBed _bed = null!;

    public async Task InitializeAsync() =>
        _bed = await NoticeTestBed.CreateAsync(OnSqlite, services => services.AddSingleton<IStagedRows>(_probe));

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_short_write_arriving_during_a_chunk_of_a_notice_commits_before_the_next_chunk()
    {
        var count = FindingIssuer.ChunkSize * 4;
        var inspection = await _bed.InspectionAsync("大型检查", new(2026, 2, 1), new(2026, 2, 28), Enumerable.Range(1, count)
            .Select(i => (NoticeTestBed.UnitNames[i % 5], NoticeTestBed.CategoryNames[i % 4], $"问题{i}", new DateOnly(2026, 4, 30))).ToArray());
        var noticeId = await _bed.DraftAsync("X政公办〔2026〕31号", new(2026, 3, 2), inspection);
        var other = await _bed.InspectionAsync("其他检查", new(2026, 2, 1), new(2026, 2, 28));
        var input = new FindingInput
        {
            InspectionId = other, UnitId = _bed.Units["科技局"], CategoryId = _bed.Categories["主动公开"],
            Description = "另一位审核人员同时录入的问题", Deadline = new DateOnly(2026, 4, 30),
        };

        // The notice's saves, in the turn (EF raises SavingChanges inside it): the first stages the notice, then one
        // per chunk. While the second chunk holds the turn, the short write starts and queues for it.
        var commits = new List<string>();
        Task<Finding>? shortWrite = null;
        _probe.Watch = db =>
        {
            var turn = SqliteWriterTurn.Of(db.Database.GetConnectionString()!);
            var saves = 0;
            db.SavingChanges += (_, _) =>
            {
                lock (commits)
                    commits.Add($"notice {++saves}");
                if (saves != 3)
                    return;
                shortWrite = Task.Run(() => _bed.WithAsync(async sp =>
                {
                    var own = sp.GetRequiredService<RectifyDb>();
                    own.SavingChanges += (_, _) =>
                    {
                        lock (commits)
                            commits.Add("short write");
                    };
                    return await sp.GetRequiredService<FindingService>().CreateAsync(input, Sample.Auditor);
                }));
                // The chunk goes on only once the short write waits for the turn (or failed before it).
                SpinWait.SpinUntil(() => turn.Queued > 0 || shortWrite.IsCompleted);
            };
        };

        var issued = await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(noticeId, Sample.Auditor));

        Assert.NotNull(shortWrite);
        var created = await shortWrite;
        Assert.Equal(NoticeStatus.Issued, issued.Status);
        Assert.Equal(count, await _bed.Db.WithDbAsync(db => db.Set<Finding>().CountAsync(f => f.InspectionId == inspection && f.Status == FindingStatus.Assigned)));
        Assert.True(await _bed.Db.WithDbAsync(db => db.Set<Finding>().AnyAsync(f => f.Id == created.Id)));
        // Staging, chunks 1 and 2, the short write, then the notice's remaining chunks and its final step.
        Assert.Equal(["notice 1", "notice 2", "notice 3", "short write", "notice 4"], commits.Take(5));
        Assert.True(commits.Count > 5, string.Join(", ", commits));
    }

    /// <summary>Lets the test watch the context that issues the notice (the notice's own step holds first, then each chunk).</summary>
    private sealed class ChunkProbe : IStagedRows
    {
        private RectifyDb? _watched;
        public Action<RectifyDb>? Watch { get; set; }

        public void Hold(RectifyDb db, string stagingId)
        {
            if (_watched == db || Watch is null)
                return;
            _watched = db;
            Watch(db);
        }

        public Task ReleaseAsync(RectifyDb db, string stagingId, CancellationToken ct) => Task.CompletedTask;
    }
}
