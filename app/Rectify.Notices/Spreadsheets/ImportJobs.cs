using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rectify.Auditing;

namespace Rectify.Notices.Spreadsheets;

/// <summary>The state of one import, polled by the import page for its progress bar.</summary>
public sealed class ImportJob
{
    public Guid Id { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public string FileName { get; init; } = "";
    public ImportStage Stage { get; set; } = ImportStage.Reading;
    public int Processed { get; set; }
    public int Total { get; set; }
    public bool Finished { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public ImportResult? Result { get; set; }
    /// <summary>An unexpected failure (not a validation error), for the log and the page.</summary>
    public string? Failure { get; set; }
}

/// <summary>
/// Runs imports in the background so a large file shows progress; each job gets its own scope (and DbContext).
/// Finished jobs are kept in memory for <see cref="KeepFinished"/> only: they are a progress display and the
/// result's page, the import itself is in the database.
/// </summary>
public sealed class ImportJobs(IServiceScopeFactory scopes, TimeProvider time, ILogger<ImportJobs> logger)
{
    public static readonly TimeSpan KeepFinished = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<Guid, ImportJob> _jobs = new();

    public ImportJob Start(byte[] file, string fileName, ImportRequest request, Actor actor)
    {
        DropFinished();
        var job = new ImportJob { Id = Guid.NewGuid(), StartedAt = time.GetUtcNow(), FileName = fileName };
        _jobs[job.Id] = job;
        _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<ActorContext>().Actor = actor;
                var importer = scope.ServiceProvider.GetRequiredService<FindingImporter>();
                var progress = new Progress(job);
                job.Result = await importer.ImportAsync(new MemoryStream(file), request, actor, progress);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Import {Job} of {File} failed.", job.Id, fileName);
                job.Failure = e is RectifyException r ? r.Message : "导入失败，请稍后重试或联系管理员。";
            }
            finally
            {
                job.Stage = ImportStage.Done;
                job.FinishedAt = time.GetUtcNow();
                job.Finished = true;
            }
        });
        return job;
    }

    public ImportJob? Get(Guid id)
    {
        DropFinished();
        return _jobs.GetValueOrDefault(id);
    }

    public int Count => _jobs.Count;

    /// <summary>Imports still reading, checking or writing (the status page and /metrics).</summary>
    public int Running => _jobs.Values.Count(j => !j.Finished);

    /// <summary>Finished imports of the last <see cref="KeepFinished"/> that failed unexpectedly.</summary>
    public int Failed => _jobs.Values.Count(j => j.Finished && j.Failure is not null);

    private void DropFinished()
    {
        foreach (var old in _jobs.Values.Where(j => j.FinishedAt is { } at && time.GetUtcNow() - at > KeepFinished))
            _jobs.TryRemove(old.Id, out _);
    }

    /// <summary>Synchronous on purpose: Progress&lt;T&gt; would post to the thread pool and could report out of order.</summary>
    private sealed class Progress(ImportJob job) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            job.Stage = value.Stage;
            job.Processed = value.Processed;
            job.Total = value.Total;
        }
    }
}
