using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Time;
using Rectify.Workflows.Activities;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Expressions;

namespace Rectify.Workflows.Runtime;

/// <summary>The services activities use, all on the run's scope (and so on its DbContext and transaction).</summary>
public sealed class WorkflowServices(
    RectifyDb db, OfficeClock clock, WorkingDayCalendar calendar, IServiceProvider scope, IMailOutbox mail, ExpressionEvaluator evaluator)
{
    public RectifyDb Db { get; } = db;
    public OfficeClock Clock { get; } = clock;
    public WorkingDayCalendar Calendar { get; } = calendar;
    // Resolved when first used: FindingLifecycle's event handlers include the workflow runner, which needs these services.
    public FindingLifecycle Lifecycle => field ??= Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<FindingLifecycle>(scope);
    public IMailOutbox Mail { get; } = mail;
    public ExpressionEvaluator Evaluator { get; } = evaluator;
}

/// <summary>One instance being run on this scope: its row, its state, its definition and its finding.</summary>
internal sealed class InstanceRun(WorkflowRunner runner, WorkflowInstance instance, InstanceState state, WorkflowDefinition definition, Finding finding)
{
    public WorkflowInstance Instance { get; } = instance;
    public InstanceState State { get; } = state;
    public WorkflowDefinition Definition { get; } = definition;
    public Finding Finding { get; } = finding;
    public Queue<(ActivityNode Node, Connection? Via)> Scheduled { get; } = new();
    public bool Finished { get; set; }
    public bool Faulted { get; set; }
    public int Steps { get; set; }

    public void CancelWhere(Func<string, bool> activityIds, ExecutionRecord except)
    {
        foreach (var waiting in State.Waiting.Where(e => e != except && activityIds(e.ActivityId)).ToList())
            runner.Cancel(this, waiting);
        var keep = Scheduled.Where(s => !activityIds(s.Node.Id)).ToList();
        Scheduled.Clear();
        foreach (var s in keep)
            Scheduled.Enqueue(s);
    }
}

/// <summary>
/// Executes flowchart instances: runs scheduled activities until every branch waits or ends, records executions
/// and the journal, and keeps the bookmark and timer rows in step — all as pending changes on the caller's
/// DbContext, so they commit in the caller's one SaveChanges with the finding's change and the outbox rows.
/// </summary>
public sealed class WorkflowRunner(WorkflowServices services, ActivityRegistry registry, ILogger<WorkflowRunner> logger)
{
    /// <summary>Guards against a definition that loops without ever waiting.</summary>
    internal const int MaxStepsPerRun = 500;

    private readonly RectifyDb _db = services.Db;
    private readonly Dictionary<(string, string, string), WorkflowBookmark> _bookmarks = [];
    private readonly Dictionary<(string, string), WorkflowTimer> _timers = [];

    /// <summary>Creates the instance (added to the context at once) and runs it up to its first waits.</summary>
    public async Task<WorkflowInstance> StartAsync(Finding finding, WorkflowDefinitionVersion version, WorkflowDefinition definition, CancellationToken ct)
    {
        if (finding.Id == 0)
            throw new InvalidOperationException("Save the finding before starting its workflow.");
        var now = services.Clock.Now;
        var instance = new WorkflowInstance
        {
            Id = Guid.CreateVersion7(now).ToString("N"),
            DefinitionId = version.DefinitionId,
            DefinitionVersionId = version.Id,
            DefinitionVersion = version.Version,
            FindingId = finding.Id,
            Status = WorkflowStatus.Running,
            SubStatus = WorkflowSubStatus.Executing,
            CreatedAt = now,
            UpdatedAt = now,
        };
        _db.Add(instance);
        var state = new InstanceState();
        foreach (var variable in definition.Variables)
            state.Variables[variable.Name] = variable.Value is { } v ? JsonPlain.ToNode(v) : null;
        var run = new InstanceRun(this, instance, state, definition, finding);
        foreach (var start in definition.StartActivities())
            run.Scheduled.Enqueue((start, null));
        await RunAsync(run, ct);
        Save(run);
        return instance;
    }

    /// <summary>
    /// Resumes the given waiting executions of an instance with a signal. Executions no longer waiting for it
    /// (already resumed, cancelled) are skipped, which makes a repeated delivery a no-op.
    /// Returns false when nothing was waiting for the signal.
    /// </summary>
    public async Task<bool> ResumeAsync(WorkflowInstance instance, WorkflowDefinition definition, Finding finding, IReadOnlyList<string> executionIds, Signal signal, CancellationToken ct)
    {
        var run = new InstanceRun(this, instance, InstanceState.Read(instance.State), definition, finding);
        var resumed = false;
        foreach (var id in executionIds)
        {
            var record = run.State.Executions.FirstOrDefault(e => e.Id == id);
            if (run.Finished || run.Faulted || record is not { Status: ExecutionStatus.Running })
                continue;
            if (signal.IsTimer ? record.TimerDue is null : record.Bookmarks?.Contains(signal.Name) != true)
                continue;
            resumed = true;
            var node = definition.ById[record.ActivityId];
            var activity = registry.Get(node.Type);
            Journal(run, record, "Resumed");
            var context = new ActivityContext(run, node, activity.Descriptor, record, null, services);
            ActivityResult result;
            try
            {
                result = await activity.ResumeAsync(context, signal);
            }
            catch (Exception ex)
            {
                Fault(run, record, ex);
                break;
            }
            Apply(run, record, node, result);
            await RunAsync(run, ct);
        }
        if (resumed)
            Save(run);
        return resumed;
    }

    /// <summary>
    /// After a deadline change, once the waiting executions have moved their timers: starts again each
    /// deadline-relative wait (<see cref="IDeadlineRelative"/>, a reminder) that already ran for the old deadline and
    /// waits no more, when the instance is waiting for the unit's report and the wait's moment is ahead for the new
    /// deadline. Returns false when nothing was started.
    /// </summary>
    public async Task<bool> RestartDeadlineWaitsAsync(WorkflowInstance instance, WorkflowDefinition definition, Finding finding, CancellationToken ct)
    {
        var run = new InstanceRun(this, instance, InstanceState.Read(instance.State), definition, finding);
        var waiting = run.State.Waiting.ToList();
        // Only while the report is awaited: a return starts the reminders afresh through the flowchart itself.
        var awaitingReport = waiting.Any(e => e.Bookmarks?.Contains(nameof(ReportSubmitted)) == true
            && registry.TryGet(e.ActivityType, out var a) && a is not IDeadlineRelative);
        if (!awaitingReport)
            return false;
        foreach (var node in definition.ById.Values.OrderBy(n => n.Index))
        {
            if (!registry.TryGet(node.Type, out var activity) || activity is not IDeadlineRelative relative)
                continue;
            if (waiting.Any(e => e.ActivityId == node.Id) || run.State.Executions.All(e => e.ActivityId != node.Id))
                continue;
            var probe = new ExecutionRecord { Id = "", ActivityId = node.Id, NodeId = node.NodeId, ActivityType = node.Type };
            if (relative.IsAhead(new ActivityContext(run, node, activity.Descriptor, probe, null, services)))
                run.Scheduled.Enqueue((node, null));
        }
        if (run.Scheduled.Count == 0)
            return false;
        await RunAsync(run, ct);
        Save(run);
        return true;
    }

    /// <summary>Removes a timer row that no waiting execution owns any more (left behind by a crash between versions).</summary>
    internal void DropTimer(WorkflowTimer timer) => RemoveTimer(timer.InstanceId, timer.ActivityExecutionId, timer.ActivityId);

    private async Task RunAsync(InstanceRun run, CancellationToken ct)
    {
        while (run.Scheduled.Count > 0 && !run.Finished && !run.Faulted)
        {
            ct.ThrowIfCancellationRequested();
            var (node, via) = run.Scheduled.Dequeue();
            var record = new ExecutionRecord
            {
                Id = (run.State.Executions.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ActivityId = node.Id,
                NodeId = node.NodeId,
                ActivityType = node.Type,
                Status = ExecutionStatus.Running,
                StartedAt = services.Clock.Now,
            };
            run.State.Executions.Add(record);
            Journal(run, record, "Started");
            if (++run.Steps > MaxStepsPerRun)
            {
                Fault(run, record, new InvalidOperationException($"More than {MaxStepsPerRun} steps without waiting: the flowchart loops."));
                break;
            }
            if (!registry.TryGet(node.Type, out var activity))
            {
                Fault(run, record, new InvalidOperationException($"Unknown activity type '{node.Type}'."));
                break;
            }
            var context = new ActivityContext(run, node, activity.Descriptor, record, via, services);
            ActivityResult result;
            try
            {
                result = await activity.ExecuteAsync(context);
            }
            catch (Exception ex)
            {
                Fault(run, record, ex);
                break;
            }
            Apply(run, record, node, result);
        }
    }

    private void Apply(InstanceRun run, ExecutionRecord record, ActivityNode node, ActivityResult result)
    {
        var now = services.Clock.Now;
        if (result.IsSuspended)
        {
            SyncRows(run, record, result.Bookmarks, result.TimerDue);
            Journal(run, record, "Suspended");
            return;
        }
        SyncRows(run, record, [], null);
        record.Status = ExecutionStatus.Completed;
        record.CompletedAt = now;
        record.Outcomes = result.Outcomes.Count > 0 ? result.Outcomes.ToList() : null;
        Journal(run, record, "Completed");
        if (result.FinishesWorkflow)
        {
            run.CancelWhere(_ => true, except: record);
            run.Finished = true;
            return;
        }
        foreach (var outcome in result.Outcomes)
        {
            foreach (var connection in run.Definition.From(node.Id, outcome))
            {
                if (run.Definition.ById.TryGetValue(connection.TargetId, out var target))
                    run.Scheduled.Enqueue((target, connection));
            }
        }
    }

    internal void Cancel(InstanceRun run, ExecutionRecord record)
    {
        SyncRows(run, record, [], null);
        record.Status = ExecutionStatus.Canceled;
        record.CompletedAt = services.Clock.Now;
        Journal(run, record, "Cancelled");
    }

    private void Fault(InstanceRun run, ExecutionRecord record, Exception exception)
    {
        var message = exception is RectifyException r ? $"{r.Message} ({r.MessageEn})" : exception.Message;
        logger.LogWarning(exception, "Workflow instance {Instance} faulted at {Activity}: {Message}", run.Instance.Id, record.ActivityId, message);
        SyncRows(run, record, [], null);
        record.Status = ExecutionStatus.Faulted;
        record.CompletedAt = services.Clock.Now;
        record.Exception = message;
        Journal(run, record, "Faulted");
        run.State.Incidents.Add(new Incident(record.ActivityId, record.NodeId, record.ActivityType, message, exception.GetType().Name, services.Clock.Now));
        run.Instance.Fault = $"{record.ActivityId}: {message}";
        // A faulted instance stops: nothing of it may fire later.
        foreach (var waiting in run.State.Waiting.ToList())
            Cancel(run, waiting);
        run.Scheduled.Clear();
        run.Faulted = true;
    }

    private void Save(InstanceRun run)
    {
        var now = services.Clock.Now;
        var instance = run.Instance;
        if (run.Faulted)
        {
            instance.Status = WorkflowStatus.Finished;
            instance.SubStatus = WorkflowSubStatus.Faulted;
            instance.FinishedAt = now;
        }
        else if (run.Finished || !run.State.Waiting.Any())
        {
            instance.Status = WorkflowStatus.Finished;
            instance.SubStatus = WorkflowSubStatus.Finished;
            instance.FinishedAt = now;
        }
        else
        {
            instance.Status = WorkflowStatus.Running;
            instance.SubStatus = WorkflowSubStatus.Suspended;
        }
        instance.State = run.State.Write();
        instance.UpdatedAt = now;
        instance.Revision++;
    }

    private void Journal(InstanceRun run, ExecutionRecord record, string eventName) =>
        run.State.Journal.Add(new JournalEntry(run.State.Journal.Count + 1, services.Clock.Now, record.ActivityId, record.NodeId, record.ActivityType, eventName, record.Id));

    /// <summary>Makes the bookmark and timer rows of an execution match what it now waits for.</summary>
    private void SyncRows(InstanceRun run, ExecutionRecord record, IReadOnlyList<string> bookmarks, DateTimeOffset? timerDue)
    {
        var instanceId = run.Instance.Id;
        var old = record.Bookmarks ?? [];
        foreach (var name in old.Except(bookmarks))
            RemoveBookmark(instanceId, record.Id, name, record.ActivityId);
        foreach (var name in bookmarks.Except(old))
            AddBookmark(new WorkflowBookmark
            {
                InstanceId = instanceId,
                ActivityExecutionId = record.Id,
                Name = name,
                ActivityId = record.ActivityId,
                FindingId = run.Finding.Id,
                CreatedAt = services.Clock.Now,
            });
        if (record.TimerDue != timerDue)
        {
            if (record.TimerDue is null)
                AddTimer(new WorkflowTimer { InstanceId = instanceId, ActivityExecutionId = record.Id, ActivityId = record.ActivityId, DueAt = timerDue!.Value });
            else if (timerDue is null)
                RemoveTimer(instanceId, record.Id, record.ActivityId);
            else
                MoveTimer(instanceId, record.Id, record.ActivityId, timerDue.Value);
        }
        record.Bookmarks = bookmarks.Count > 0 ? bookmarks.ToList() : null;
        record.TimerDue = timerDue;
    }

    // Rows are deleted and updated through key-only stubs: no read first, and a row another node already
    // removed makes SaveChanges fail with a concurrency error instead of firing twice.

    private void AddBookmark(WorkflowBookmark bookmark)
    {
        var key = (bookmark.InstanceId, bookmark.ActivityExecutionId, bookmark.Name);
        _db.Add(bookmark);
        _bookmarks[key] = bookmark;
    }

    private void RemoveBookmark(string instanceId, string executionId, string name, string activityId)
    {
        var key = (instanceId, executionId, name);
        if (_bookmarks.Remove(key, out var tracked) && _db.Entry(tracked).State != EntityState.Detached)
        {
            _db.Remove(tracked);
            return;
        }
        _db.Entry(new WorkflowBookmark { InstanceId = instanceId, ActivityExecutionId = executionId, Name = name, ActivityId = activityId }).State = EntityState.Deleted;
    }

    private void AddTimer(WorkflowTimer timer)
    {
        _db.Add(timer);
        _timers[(timer.InstanceId, timer.ActivityExecutionId)] = timer;
    }

    private void RemoveTimer(string instanceId, string executionId, string activityId)
    {
        if (_timers.Remove((instanceId, executionId), out var tracked) && _db.Entry(tracked).State != EntityState.Detached)
        {
            _db.Remove(tracked);
            return;
        }
        _db.Entry(new WorkflowTimer { InstanceId = instanceId, ActivityExecutionId = executionId, ActivityId = activityId }).State = EntityState.Deleted;
    }

    private void MoveTimer(string instanceId, string executionId, string activityId, DateTimeOffset due)
    {
        if (!_timers.TryGetValue((instanceId, executionId), out var timer) || _db.Entry(timer).State == EntityState.Detached)
        {
            timer = new WorkflowTimer { InstanceId = instanceId, ActivityExecutionId = executionId, ActivityId = activityId };
            _db.Attach(timer);
            _timers[(instanceId, executionId)] = timer;
        }
        timer.DueAt = due;
        timer.LeaseOwner = null;
        timer.LeaseUntil = null;
        var entry = _db.Entry(timer);
        if (entry.State != EntityState.Added)
        {
            entry.Property(t => t.DueAt).IsModified = true;
            entry.Property(t => t.LeaseOwner).IsModified = true;
            entry.Property(t => t.LeaseUntil).IsModified = true;
        }
    }
}
