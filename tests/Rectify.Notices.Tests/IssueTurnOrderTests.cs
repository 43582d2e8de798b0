using System.Data.Common;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Testing;
using SQLitePCL;
using Xunit.Abstractions;

namespace Rectify.Notices.Tests;

/// <summary>
/// SQLite's writer turn between the chunks of a big notice, its issue's and its clean-up's: a short write that arrives
/// while a chunk is being written goes next, before the notice's following chunk, so it waits for one chunk at most —
/// shown by the order of the commits, not by a clock. The step that publishes the notice between them writes no
/// staged row.
/// </summary>
public sealed class IssueTurnOrderTests(ITestOutputHelper output) : IAsyncLifetime
{
    // The turn is SQLite's matter (PostgreSQL writers do not exclude each other): this runs on a file in both passes.
    private static readonly Dictionary<string, string?> OnSqlite = new() { ["Database:Provider"] = "Sqlite", ["Database:ConnectionString"] = "" };

    private readonly ChunkProbe _probe = new();
    private readonly ReadProbe _reads = new();
    private NoticeTestBed _bed = null!;

    public async Task InitializeAsync() =>
        _bed = await NoticeTestBed.CreateAsync(OnSqlite, services =>
        {
            services.AddSingleton<IStagedRows>(_probe);
            // EF skips its command events for a while (its logging cache, 1 s) after it found nobody listening, but
            // not its transaction events: the write log, subscribed mid-test, would see commits without their writes.
            services.ConfigureDbContext<RectifyDb>(options => options.ConfigureLoggingCacheTime(TimeSpan.Zero).AddInterceptors(_reads));
        });

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_short_write_arriving_during_a_chunk_of_a_notice_commits_before_the_next_chunk()
    {
        var (count, inspection, noticeId, input) = await NoticeAndShortWriteAsync("X政公办〔2026〕31号");

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

    [Fact]
    public async Task The_publishing_writes_no_staged_row_and_a_short_write_arriving_during_the_clean_up_commits_between_its_chunks()
    {
        var (count, inspection, noticeId, input) = await NoticeAndShortWriteAsync("X政公办〔2026〕32号");
        using var log = new WriteLog(await _bed.Db.WithDbAsync(db => Task.FromResult(db.Database.GetConnectionString()!)));
        _probe.Watch = db => log.Issuing = db;
        // The probe's rows come first in the clean-up: while its chunk holds the turn, the short write starts and queues.
        Task<Finding>? shortWrite = null;
        _probe.Releasing = db =>
        {
            var turn = SqliteWriterTurn.Of(db.Database.GetConnectionString()!);
            shortWrite = Task.Run(() => _bed.WithAsync(sp => sp.GetRequiredService<FindingService>().CreateAsync(input, Sample.Auditor)));
            SpinWait.SpinUntil(() => turn.Queued > 0 || shortWrite.IsCompleted);
            return Task.CompletedTask;
        };

        var issued = await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().IssueAsync(noticeId, Sample.Auditor));

        Assert.Equal(NoticeStatus.Issued, issued.Status);
        Assert.NotNull(shortWrite);
        await shortWrite;
        List<(string Who, string What)> entries;
        lock (log.Entries)
            entries = [.. log.Entries];
        var trace = string.Join(", ", entries);
        var publish = entries.IndexOf(("issue", "publish"));
        Assert.True(publish >= 0, trace);
        // The text composed for the draft is what is issued: no step of the issue writes it again.
        Assert.DoesNotContain(("issue", nameof(NoticeText)), entries);
        Assert.Contains(("issue", nameof(Notice)), entries);
        // The publishing transaction: the staging's row and the notice's own row, none of the thousands staged.
        var published = entries.IndexOf(("issue", "commit"), publish);
        string[] staged = ["Finding", "Inspection", "WorkflowInstances", "WorkflowTimers", "WorkflowBookmarks", "OutboxMessages"];
        Assert.DoesNotContain(entries[publish..published], e => staged.Contains(e.What));
        Dictionary<string, int> rows;
        lock (log.RowsPublished)
            rows = new(log.RowsPublished);
        Assert.DoesNotContain(rows.Keys, staged.Contains);
        // Its finding list was written before, in chunks of its own.
        Assert.DoesNotContain("NoticeFinding", rows.Keys);
        Assert.Equal(1, rows["Notice"]);
        Assert.Equal(1, rows["AuditEvent"]);
        output.WriteLine($"the publishing transaction changed, after the staging's row: {string.Join(", ", rows.Select(r => $"{r.Key} {r.Value}"))}");
        // Then the clean-up's chunks: the short write goes whole right after the first, before the others.
        var shortStart = entries.IndexOf(("other", "Finding"));
        Assert.True(shortStart > published, trace);
        Assert.Equal(("issue", "commit"), entries[shortStart - 1]);
        var shortEnd = entries.IndexOf(("other", "commit"), shortStart);
        Assert.DoesNotContain(entries[shortStart..shortEnd], e => e.Who == "issue");
        var after = entries[shortEnd..].Where(e => e.Who == "issue").Select(e => e.What).ToList();
        Assert.Contains("WorkflowTimers", after);
        Assert.Contains("OutboxMessages", after);
        Assert.Contains("Finding", after);
        Assert.Equal(["IssueStagings", "commit"], after[^2..]);
        Assert.Equal(count, await _bed.Db.WithDbAsync(db => db.Set<Finding>().CountAsync(f => f.InspectionId == inspection && f.Status == FindingStatus.Assigned && f.StagingId == null)));
    }

    [Fact]
    public async Task A_draft_is_composed_outside_the_writer_turn_so_another_writer_goes_meanwhile()
    {
        var inspection = await _bed.InspectionAsync("大型检查", new(2026, 2, 1), new(2026, 2, 28), Enumerable.Range(1, 40)
            .Select(i => (NoticeTestBed.UnitNames[i % 5], NoticeTestBed.CategoryNames[i % 4], $"问题{i}", new DateOnly(2026, 4, 30))).ToArray());
        RectifyDb? creating = null;
        var saved = false;
        bool? otherWriterWent = null;
        // Once the draft's row is saved, the first read of the findings' text is the composing: another writer asks
        // for the turn then. Held by the draft (composing inside its transaction), the wait would never end.
        _reads.OnRead = async (command, context) =>
        {
            if (context != creating || !saved || otherWriterWent is not null || !command.CommandText.Contains("\"Description\"", StringComparison.Ordinal))
                return;
            var turn = SqliteWriterTurn.Of(context.Database.GetConnectionString()!);
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await turn.WaitAsync(longJob: false, patience.Token);
                turn.Release();
                otherWriterWent = true;
            }
            catch (OperationCanceledException)
            {
                otherWriterWent = false;
            }
        };

        var notice = await _bed.WithAsync(sp =>
        {
            creating = sp.GetRequiredService<RectifyDb>();
            creating.SavedChanges += (_, _) => saved = true;
            var notices = sp.GetRequiredService<NoticeService>();
            return notices.CreateDraftAsync(notices.NewDraft([inspection], new(2026, 2, 1), new(2026, 2, 28), "区政务公开办") with { Number = "X政公办〔2026〕33号", Date = new(2026, 3, 2) }, Sample.Auditor);
        });

        Assert.True(otherWriterWent);
        // And the draft is whole: its preview names every finding, ready to issue.
        Assert.Equal(40, (await _bed.WithAsync(sp => sp.GetRequiredService<NoticeService>().ContentAsync(notice.Id, Sample.Auditor))).NewFindings.Sum(u => u.Findings.Count));
        Assert.Empty(await _bed.WithAsync(async sp => await sp.GetRequiredService<NoticeService>().ChangesSincePreviewAsync(
            await sp.GetRequiredService<RectifyDb>().Set<Notice>().Include(n => n.Inspections).SingleAsync(n => n.Id == notice.Id))));
    }

    /// <summary>A draft notice of four chunks' findings, and the input of a finding another auditor records meanwhile.</summary>
    private async Task<(int Count, int Inspection, int Notice, FindingInput ShortWrite)> NoticeAndShortWriteAsync(string number)
    {
        var count = FindingIssuer.ChunkSize * 4;
        var inspection = await _bed.InspectionAsync("大型检查", new(2026, 2, 1), new(2026, 2, 28), Enumerable.Range(1, count)
            .Select(i => (NoticeTestBed.UnitNames[i % 5], NoticeTestBed.CategoryNames[i % 4], $"问题{i}", new DateOnly(2026, 4, 30))).ToArray());
        var noticeId = await _bed.DraftAsync(number, new(2026, 3, 2), inspection);
        var other = await _bed.InspectionAsync("其他检查", new(2026, 2, 1), new(2026, 2, 28));
        return (count, inspection, noticeId, new FindingInput
        {
            InspectionId = other, UnitId = _bed.Units["科技局"], CategoryId = _bed.Categories["主动公开"],
            Description = "另一位审核人员同时录入的问题", Deadline = new DateOnly(2026, 4, 30),
        });
    }

    /// <summary>Lets the test act when a context is about to run a query (before the command goes to the database).</summary>
    private sealed class ReadProbe : DbCommandInterceptor
    {
        public Func<DbCommand, RectifyDb, Task>? OnRead { get; set; }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
            CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (OnRead is { } onRead && eventData.Context is RectifyDb db)
                await onRead(command, db);
            return result;
        }
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

        public Func<RectifyDb, Task>? Releasing { get; set; }

        public async Task<int> ReleaseAsync(RectifyDb db, string stagingId, int max, CancellationToken ct)
        {
            if (Releasing is { } releasing)
            {
                Releasing = null;
                await releasing(db);
            }
            return 0;
        }
    }

    /// <summary>
    /// The writes to one database in the order they ran (EF's diagnostic events, raised on the writing connection
    /// inside its transaction): by whom ("issue" for the context issuing the notice, "other") and what — each table
    /// a command writes, "publish" for the write that publishes a staging, "commit" for a transaction's end.
    /// </summary>
    private sealed class WriteLog : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private static readonly Regex Written = new(@"^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+""(\w+)""", RegexOptions.Multiline);
        private readonly string _connectionString;
        private readonly List<IDisposable> _subscriptions = [];
        private sqlite3? _hooked;

        public WriteLog(string connectionString)
        {
            _connectionString = connectionString;
            _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }

        public List<(string Who, string What)> Entries { get; } = [];
        public RectifyDb? Issuing { get; set; }

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                lock (_subscriptions)
                    _subscriptions.Add(value.Subscribe(this));
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            var (context, what) = value.Value switch
            {
                CommandExecutedEventData c when value.Key == RelationalEventId.CommandExecuted.Name => (c.Context,
                    c.Command.CommandText.Contains("\"PublishedAt\" =", StringComparison.Ordinal) ? ["publish"]
                        : Written.Matches(c.Command.CommandText).Select(m => m.Groups[1].Value).ToList()),
                TransactionEndEventData t when value.Key == RelationalEventId.TransactionCommitted.Name => (t.Context, ["commit"]),
                _ => (null, []),
            };
            if (context is null || context.Database.GetConnectionString() != _connectionString)
                return;
            lock (Entries)
                Entries.AddRange(what.Select(w => (context == Issuing ? "issue" : "other", w)));
            if (context != Issuing)
                return;
            // From the publishing write to its commit, SQLite tells every row the connection changes, bulk statements' too.
            if (what is ["publish"] && value.Value is CommandExecutedEventData { Command.Connection: SqliteConnection { Handle: { } handle } })
            {
                _hooked = handle;
                raw.sqlite3_update_hook(handle, (_, _, _, table, _) =>
                {
                    lock (RowsPublished)
                        RowsPublished[table.utf8_to_string()] = RowsPublished.GetValueOrDefault(table.utf8_to_string()) + 1;
                }, null);
            }
            else if (what is ["commit"] && _hooked is { } hooked)
            {
                raw.sqlite3_update_hook(hooked, (delegate_update?)null, null);
                _hooked = null;
            }
        }

        /// <summary>Rows the publishing transaction changed after its first write, by table.</summary>
        public Dictionary<string, int> RowsPublished { get; } = [];

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            lock (_subscriptions)
                _subscriptions.ForEach(s => s.Dispose());
        }
    }
}
