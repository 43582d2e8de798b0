using System.Text.Json;
using System.Text.Json.Nodes;
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
    RectifyDb db, OfficeClock clock, WorkingDayCalendar calendar, IMailOutbox mail, ExpressionEvaluator evaluator, DefinitionCache definitions,
    IServiceProvider scope)
{
    public DefinitionCache Definitions { get; } = definitions;
    public RectifyDb Db { get; } = db;
    public OfficeClock Clock { get; } = clock;
    public WorkingDayCalendar Calendar { get; } = calendar;
    public IMailOutbox Mail { get; } = mail;
    public ExpressionEvaluator Evaluator { get; } = evaluator;
    /// <summary>The run's scope, from which an activity takes the services it needs (ActivityContext.GetRequiredService).</summary>
    public IServiceProvider Provider { get; } = scope;
}

/// <summary>An activity waiting its turn: how it was reached, and whether through a backward connection (a loop).</summary>
internal sealed record ScheduledActivity(ActivityNode Node, Connection? Via, bool Backward, string? ParentExecutionId = null,
    IReadOnlyDictionary<string, JsonNode?>? Locals = null);

/// <summary>An event an Elsa.PublishEvent published: to its own instance only (local), or to every waiting instance (of one correlation when given).</summary>
internal sealed record PublishedEvent(string Name, string? CorrelationId, bool Local, string FromInstanceId)
{
    public bool Reaches(string? correlationId) => CorrelationId is null || CorrelationId == correlationId;
}

/// <summary>One instance being run on this scope: its row, its state, its definition and its finding.</summary>
internal sealed class InstanceRun(WorkflowRunner runner, WorkflowInstance instance, InstanceState state, WorkflowDefinition definition, Finding finding)
{
    public WorkflowRunner Runner { get; } = runner;
    public WorkflowInstance Instance { get; } = instance;
    public InstanceState State { get; } = state;
    public WorkflowDefinition Definition { get; } = definition;
    public Finding Finding { get; } = finding;
    public Queue<ScheduledActivity> Scheduled { get; } = new();
    /// <summary>Events published by this run, not yet delivered to it.</summary>
    public Queue<PublishedEvent> Published { get; } = new();
    public FlowScope Flow => State.Flow ??= new FlowScope();
    public bool Finished { get; set; }
    public bool Faulted { get; set; }
    /// <summary>Cancelled as a whole: a workflow run as an activity whose parent no longer waits for it.</summary>
    public bool Cancelled { get; set; }
    /// <summary>Rebuilding the flow scope of state written before it existed: count visits, schedule nothing.</summary>
    public bool Replaying { get; set; }
    public int Steps { get; set; }

    /// <summary>
    /// Cancels the waiting executions and drops the scheduled activities chosen (within one container's scope when
    /// <paramref name="scope"/> is given, "" being the root), with whatever runs inside them; their outbound
    /// connections count as visited, not followed, as Elsa propagates a cancellation.
    /// </summary>
    public void CancelWhere(Func<string, bool> activityIds, ExecutionRecord? except, bool propagate = true, string? scope = null)
    {
        if (Replaying)
            return;
        bool InScope(string? parentId) => scope is null || (parentId ?? "") == scope;
        var chosen = State.Waiting.Where(e => e != except && activityIds(e.ActivityId) && InScope(e.ParentId)).ToList();
        var dropped = Scheduled.Where(s => activityIds(s.Node.Id) && InScope(s.ParentExecutionId)).ToList();
        // What runs inside a cancelled container goes with it.
        var inside = new HashSet<string>(chosen.Select(e => e.Id));
        for (var grew = true; grew;)
        {
            var children = State.Waiting.Where(e => e.ParentId is { } p && inside.Contains(p) && !inside.Contains(e.Id)).ToList();
            grew = children.Count > 0;
            foreach (var child in children)
                inside.Add(child.Id);
        }
        foreach (var waiting in State.Waiting.Where(e => inside.Contains(e.Id)).ToList())
            Runner.Cancel(this, waiting);
        var keep = Scheduled.Where(s => !dropped.Contains(s) && !(s.ParentExecutionId is { } p && inside.Contains(p))).ToList();
        Scheduled.Clear();
        foreach (var s in keep)
            Scheduled.Enqueue(s);
        if (!propagate)
            return;
        foreach (var (node, parentId) in chosen.Select(e => (Definition.ById.GetValueOrDefault(e.ActivityId), e.ParentId))
                     .Concat(dropped.Select(s => ((ActivityNode?)s.Node, s.ParentExecutionId))))
        {
            if (node is not null && WorkflowRunner.InFlowchart(this, parentId))
                Runner.ScheduleOutbound(this, node, [], backward: false, parentId);
        }
    }

    public ExecutionRecord Record(string id) => State.Executions.First(e => e.Id == id);

    private Dictionary<string, JsonNode?> LocalsOf(ExecutionRecord? record)
    {
        var locals = new Dictionary<string, JsonNode?>();
        for (var current = record; current is not null; current = current.ParentId is { } p ? Record(p) : null)
        {
            foreach (var (name, value) in current.Locals ?? [])
                locals.TryAdd(name, value);
        }
        return locals;
    }

    /// <summary>The flow scope of the root flowchart (null) or of a nested flowchart's execution.</summary>
    public FlowScope FlowOf(string? flowchartExecutionId) =>
        flowchartExecutionId is null ? Flow : State.Scopes.TryGetValue(flowchartExecutionId, out var scope) ? scope : State.Scopes[flowchartExecutionId] = new FlowScope();

    /// <summary>What expressions of an execution see; loop variables of the containers it runs in included (the nearest wins).</summary>
    public ExpressionScope NewScope(ExecutionRecord? record = null) => new(ActivityContext.FindingSnapshot(Finding), State.Variables)
    {
        Locals = LocalsOf(record),
        Input = State.Input,
        InstanceId = Instance.Id,
        DefinitionId = Instance.DefinitionId,
        DefinitionVersion = Instance.DefinitionVersion,
        GetCorrelationId = () => State.CorrelationId,
        SetCorrelationId = id => State.CorrelationId = id,
    };
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

    /// <summary>An instance by id, tracked: compiled, as every resume reads one (a LINQ query is rebuilt and looked up per call).</summary>
    internal static readonly CompiledPerModel<Func<RectifyDb, string, CancellationToken, Task<WorkflowInstance?>>> InstanceById =
        new(() => EF.CompileAsyncQuery((RectifyDb db, string id, CancellationToken ct) => db.Set<WorkflowInstance>().SingleOrDefault(i => i.Id == id)));

    private readonly RectifyDb _db = services.Db;
    private readonly Dictionary<(string, string, string), WorkflowBookmark> _bookmarks = [];
    private readonly Dictionary<(string, string), WorkflowTimer> _timers = [];

    /// <summary>
    /// The state last saved on this scope, beside its instance and the text it was written to: a group of timers
    /// resumes an instance once per due timer, one after the other, and need not parse again what the previous resume
    /// has just written. Only the last, so that a scope that starts or resumes thousands holds no more than their rows.
    /// </summary>
    private (WorkflowInstance Instance, string Json, InstanceState State)? _lastSaved;

    /// <summary>
    /// The instance's state to run: the last saved one while the row still holds its text, else read from the row.
    /// Handed over once, so that a run that fails halfway leaves nothing half-changed to the next.
    /// </summary>
    private InstanceState StateOf(WorkflowInstance instance)
    {
        if (_lastSaved is not { } saved || saved.Instance != instance)
            return InstanceState.Read(instance.State);
        _lastSaved = null;
        return ReferenceEquals(saved.Json, instance.State) ? saved.State : InstanceState.Read(instance.State);
    }

    /// <summary>Creates the instance (added to the context at once) and runs it up to its first waits.</summary>
    /// <param name="input">The workflow's inputs; declared inputs left out take their default value.</param>
    public Task<WorkflowInstance> StartAsync(Finding finding, WorkflowDefinitionVersion version, WorkflowDefinition definition, CancellationToken ct,
        IReadOnlyDictionary<string, JsonNode?>? input = null) => StartAsync(finding, version, definition, input, parent: null, ct);

    /// <param name="parent">For a workflow run as an activity: the run and execution that wait for it (resumed when it finishes).</param>
    internal async Task<WorkflowInstance> StartAsync(Finding finding, WorkflowDefinitionVersion version, WorkflowDefinition definition,
        IReadOnlyDictionary<string, JsonNode?>? input, (InstanceRun Run, string ExecutionId)? parent, CancellationToken ct)
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
            ParentInstanceId = parent?.Run.Instance.Id,
            Status = WorkflowStatus.Running,
            SubStatus = WorkflowSubStatus.Executing,
            CreatedAt = now,
            UpdatedAt = now,
        };
        _db.Add(instance);
        // A workflow run as an activity shares its parent's correlation, as Elsa runs it within the parent's context.
        var state = new InstanceState { Flow = new FlowScope(), ParentExecutionId = parent?.ExecutionId, CorrelationId = parent?.Run.State.CorrelationId };
        foreach (var variable in definition.Variables)
            state.Variables[variable.Name] = variable.Value is { } v ? Typed(variable.TypeName, JsonPlain.ToNode(v)) : null;
        foreach (var declared in definition.Inputs)
            state.Input[declared.Name] = declared.DefaultValue is { } d ? JsonPlain.ToNode(d) : null;
        foreach (var (name, value) in input ?? new Dictionary<string, JsonNode?>())
        {
            var declared = definition.Inputs.FirstOrDefault(i => i.Name == name);
            state.Input[name] = declared is null ? value?.DeepClone() : Typed(declared.TypeName, value?.DeepClone());
        }
        var run = new InstanceRun(this, instance, state, definition, finding);
        // Elsa starts one activity only (see WorkflowDefinition.StartActivity); the rest is reached through connections.
        if (definition.Graph.Start is { } start)
            run.Scheduled.Enqueue(new ScheduledActivity(start, null, false));
        await RunAsync(run, ct);
        Save(run);
        // A child's events reach others once its parent's run is saved too.
        if (parent is null)
            await AfterSaveAsync(ct);
        return instance;
    }

    /// <summary>
    /// Resumes the given waiting executions of an instance with a signal. Executions no longer waiting for it
    /// (already resumed, cancelled) are skipped, which makes a repeated delivery a no-op.
    /// Returns false when nothing was waiting for the signal.
    /// </summary>
    public async Task<bool> ResumeAsync(WorkflowInstance instance, WorkflowDefinition definition, Finding finding, IReadOnlyList<string> executionIds, Signal signal, CancellationToken ct)
    {
        var run = new InstanceRun(this, instance, StateOf(instance), definition, finding);
        if (run.State.Flow is null)
            Replay(run);
        var resumed = false;
        foreach (var id in executionIds)
        {
            var record = run.State.Executions.FirstOrDefault(e => e.Id == id);
            if (run.Finished || run.Faulted || record is not { Status: ExecutionStatus.Running })
                continue;
            if (signal.IsTimer ? record.TimerDue is null : record.Bookmarks?.Contains(signal.Name) != true)
                continue;
            resumed = true;
            if (!await ResumeOneAsync(run, record, signal))
                break;
            await RunAsync(run, ct);
        }
        if (!resumed)
            return false;
        Save(run);
        if (instance is { Status: WorkflowStatus.Finished, ParentInstanceId: { } parentId } && run.State.ParentExecutionId is { } waitingExecution)
            await ResumeParentAsync(parentId, waitingExecution, finding, instance.Id, ct);
        await AfterSaveAsync(ct);
        return true;
    }

    /// <summary>A workflow run as an activity finished: the parent's execution waiting for it continues.</summary>
    private async Task ResumeParentAsync(string parentId, string executionId, Finding finding, string childId, CancellationToken ct)
    {
        var parent = await InstanceById.For(_db)(_db, parentId, ct);
        if (parent is null)
            return;
        var definition = await services.Definitions.ParsedAsync(_db, parent.DefinitionVersionId, ct);
        await ResumeAsync(parent, definition, finding, [executionId], new Signal(WorkflowDefinitionActivity.BookmarkFor(childId)), ct);
    }

    /// <summary>
    /// After a deadline change, once the waiting executions have moved their timers: starts again each
    /// deadline-relative wait (<see cref="IDeadlineRelative"/>, a reminder) that already ran for the old deadline and
    /// waits no more, when the instance is waiting for the unit's report and the wait's moment is ahead for the new
    /// deadline. Returns false when nothing was started.
    /// </summary>
    public async Task<bool> RestartDeadlineWaitsAsync(WorkflowInstance instance, WorkflowDefinition definition, Finding finding, CancellationToken ct)
    {
        var run = new InstanceRun(this, instance, StateOf(instance), definition, finding);
        var waiting = run.State.Waiting.ToList();
        // Only while the report is awaited: a return starts the reminders afresh through the flowchart itself.
        var awaitingReport = waiting.Any(e => e.Bookmarks?.Contains(nameof(ReportSubmitted)) == true
            && registry.TryGet(e.ActivityType, out var a) && a is not IDeadlineRelative);
        if (!awaitingReport)
            return false;
        // Root flowchart only: a reminder inside a container is started again by its container.
        foreach (var node in definition.Children(null))
        {
            if (!registry.TryGet(node, out var activity) || activity is not IDeadlineRelative relative)
                continue;
            if (waiting.Any(e => e.ActivityId == node.Id) || run.State.Executions.All(e => e.ActivityId != node.Id))
                continue;
            var probe = new ExecutionRecord { Id = "", ActivityId = node.Id, NodeId = node.NodeId, ActivityType = node.Type };
            if (relative.IsAhead(new ActivityContext(run, node, activity.Descriptor, probe, null, services)))
                // Like a loop's second pass: a reminder run again for a moved deadline is not a new visit of the flow.
                run.Scheduled.Enqueue(new ScheduledActivity(node, null, Backward: true));
        }
        if (run.Scheduled.Count == 0)
            return false;
        await RunAsync(run, ct);
        Save(run);
        await AfterSaveAsync(ct);
        return true;
    }

    /// <summary>Resumes one waiting execution; false when it faulted the instance.</summary>
    private async Task<bool> ResumeOneAsync(InstanceRun run, ExecutionRecord record, Signal signal)
    {
        var node = run.Definition.ById[record.ActivityId];
        var activity = registry.Get(node);
        Journal(run, record, "Resumed");
        var context = new ActivityContext(run, node, activity.Descriptor, record, null, services);
        try
        {
            Apply(run, record, node, await activity.ResumeAsync(context, signal));
            return true;
        }
        catch (Exception ex)
        {
            Fault(run, record, ex);
            return false;
        }
    }

    /// <summary>
    /// Delivers the events published in this run (Elsa.PublishEvent) to the instance's own Event activities waiting for
    /// them, right away; an event that is not local is also queued for the other instances (<see cref="DeliverToOthersAsync"/>).
    /// </summary>
    private async Task DeliverPublishedAsync(InstanceRun run)
    {
        while (run.Published.TryDequeue(out var published) && !run.Finished && !run.Faulted)
        {
            if (!published.Local)
                _toOthers.Enqueue(published);
            if (!published.Local && !published.Reaches(run.State.CorrelationId))
                continue;
            var signal = new Signal(Event.BookmarkFor(published.Name));
            foreach (var waiting in run.State.Waiting.Where(e => e.Bookmarks?.Contains(signal.Name) == true).ToList())
            {
                if (waiting.Status == ExecutionStatus.Running && !await ResumeOneAsync(run, waiting, signal))
                    return;
            }
        }
    }

    /// <summary>What a saved run sets off in other instances: children it no longer waits for stop, published events arrive.</summary>
    private async Task AfterSaveAsync(CancellationToken ct)
    {
        await CancelChildrenAsync(ct);
        await DeliverToOthersAsync(ct);
    }

    /// <summary>Guards against workflows that publish events to each other for ever.</summary>
    internal const int MaxEventDeliveries = 1000;
    private readonly Queue<PublishedEvent> _toOthers = new();
    private bool _deliveringToOthers;

    /// <summary>
    /// As Elsa's PublishEvent does without "local event": resumes the Event activities of every other instance waiting
    /// for the event — only those of the given correlation id when one is given — once the publishing run is saved, in
    /// the same unit of work (their changes commit with the publisher's). Instances started in this unit of work and not
    /// yet saved are reached too.
    /// </summary>
    private async Task DeliverToOthersAsync(CancellationToken ct)
    {
        if (_deliveringToOthers)
            return;
        _deliveringToOthers = true;
        try
        {
            for (var delivered = 0; _toOthers.TryDequeue(out var published); delivered++)
            {
                if (delivered >= MaxEventDeliveries)
                    throw new InvalidOperationException($"More than {MaxEventDeliveries} events delivered between workflows in one go: they publish to each other without end.");
                var name = Event.BookmarkFor(published.Name);
                var stored = await _db.Set<WorkflowBookmark>().AsNoTracking().Where(b => b.Name == name && b.InstanceId != published.FromInstanceId)
                    .Select(b => new { b.InstanceId, b.ActivityExecutionId }).ToListAsync(ct);
                var waiting = stored.Concat(_db.ChangeTracker.Entries<WorkflowBookmark>()
                        .Where(e => e.State == EntityState.Added && e.Entity.Name == name && e.Entity.InstanceId != published.FromInstanceId)
                        .Select(e => new { e.Entity.InstanceId, e.Entity.ActivityExecutionId }))
                    .Distinct().GroupBy(b => b.InstanceId);
                foreach (var group in waiting)
                {
                    var instance = await _db.Set<WorkflowInstance>().FindAsync([group.Key], ct);
                    if (instance is not { Status: WorkflowStatus.Running, FindingId: { } findingId } || !published.Reaches(instance.CorrelationId))
                        continue;
                    var finding = await _db.Set<Finding>().Include(f => f.Unit).Include(f => f.Category).Include(f => f.Inspection)
                        .Include(f => f.Reports).Include(f => f.ExtensionRequests).AsSplitQuery().SingleAsync(f => f.Id == findingId, ct);
                    var definition = await services.Definitions.ParsedAsync(_db, instance.DefinitionVersionId, ct);
                    await ResumeAsync(instance, definition, finding, group.Select(b => b.ActivityExecutionId).Distinct().OrderBy(int.Parse).ToList(), new Signal(name), ct);
                }
            }
        }
        finally
        {
            _deliveringToOthers = false;
        }
    }

    /// <summary>Removes a timer row that no waiting execution owns any more (left behind by a crash between versions).</summary>
    internal void DropTimer(WorkflowTimer timer) => RemoveTimer(timer.InstanceId, timer.ActivityExecutionId, timer.ActivityId);

    private async Task RunAsync(InstanceRun run, CancellationToken ct)
    {
        while (run.Scheduled.Count > 0 && !run.Finished && !run.Faulted)
        {
            ct.ThrowIfCancellationRequested();
            var (node, via, backward, parentId, locals) = run.Scheduled.Dequeue();
            var record = new ExecutionRecord
            {
                Id = (run.State.Executions.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ActivityId = node.Id,
                NodeId = node.NodeId,
                ActivityType = node.Type,
                Status = ExecutionStatus.Running,
                StartedAt = services.Clock.Now,
                Backward = backward,
                ParentId = parentId,
                Locals = locals?.ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone()),
            };
            run.State.Executions.Add(record);
            Journal(run, record, "Started");
            if (++run.Steps > MaxStepsPerRun)
            {
                Fault(run, record, new InvalidOperationException($"More than {MaxStepsPerRun} steps without waiting: the flowchart loops."));
                break;
            }
            if (!registry.TryGet(node, out var activity))
            {
                Fault(run, record, new InvalidOperationException($"Unknown activity type '{node.Type}'."));
                break;
            }
            var context = new ActivityContext(run, node, activity.Descriptor, record, via, services);
            ActivityResult result;
            try
            {
                result = await activity.ExecuteAsync(context);
                Apply(run, record, node, result);
            }
            catch (Exception ex)
            {
                Fault(run, record, ex);
                break;
            }
            await DeliverPublishedAsync(run);
        }
    }

    private void Apply(InstanceRun run, ExecutionRecord record, ActivityNode node, ActivityResult result)
    {
        var now = services.Clock.Now;
        if (result.Children is { } children)
        {
            // A container runs while its children do.
            foreach (var (child, locals) in children)
                run.Scheduled.Enqueue(new ScheduledActivity(child, null, false, record.Id, locals));
            return;
        }
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
        if (result.FinishesWorkflow && node.Type == "Elsa.End" && record.ParentId is { } endScope)
        {
            // Elsa's End is a terminal node: it completes the flowchart it is in, here a nested one.
            run.CancelWhere(_ => true, except: record, propagate: false, scope: endScope);
            var parent = run.Record(endScope);
            Apply(run, parent, run.Definition.ById[parent.ActivityId], ActivityResult.Done());
            return;
        }
        if (result.FinishesWorkflow)
        {
            run.CancelWhere(_ => true, except: record, propagate: false);
            run.Finished = true;
            return;
        }
        if (record.ParentId is not { } parentId)
        {
            ScheduleOutbound(run, node, result.Outcomes, record.Backward);
            return;
        }
        var parentRecord = run.Record(parentId);
        var parentNode = run.Definition.ById[parentRecord.ActivityId];
        if (InFlowchart(run, parentId))
        {
            ScheduleOutbound(run, node, result.Outcomes, record.Backward, parentId);
            // Elsa completes a flowchart when nothing in it is scheduled or running.
            if (!run.Scheduled.Any(s => s.ParentExecutionId == parentId) && !run.State.Waiting.Any(e => e.ParentId == parentId))
                Apply(run, parentRecord, parentNode, ActivityResult.Done());
            return;
        }
        var container = registry.Get(parentNode);
        var context = new ActivityContext(run, parentNode, container.Descriptor, parentRecord, null, services);
        Apply(run, parentRecord, parentNode, container.OnChildCompleted(context, node, result.Outcomes));
    }

    /// <summary>Whether the container execution (null: the root) is a flowchart, where connections decide what runs next.</summary>
    internal static bool InFlowchart(InstanceRun run, string? parentExecutionId) =>
        parentExecutionId is null || run.Record(parentExecutionId).ActivityType == NestedFlowchart.TypeName;

    /// <summary>
    /// Elsa's counter-based flowchart step after an activity completed (or was skipped or cancelled, with no outcomes):
    /// counts the visits, re-runs loop targets, and schedules or skips each target by its join mode — an implicit
    /// join waits for every forward inbound connection and runs when any was followed (WaitAllActive).
    /// </summary>
    internal void ScheduleOutbound(InstanceRun run, ActivityNode node, IReadOnlyList<string> outcomes, bool backward, string? scope = null)
    {
        var definition = run.Definition;
        var graph = definition.GraphOf(node.ParentId);
        var flow = run.FlowOf(scope);
        if (!backward)
            flow.VisitActivity(node.Id);
        foreach (var connection in definition.Out(node.Id))
        {
            var followed = outcomes.Contains(connection.SourcePort);
            flow.VisitConnection(connection, followed);
            if (!definition.ById.TryGetValue(connection.TargetId, out var target))
                continue;
            if (graph.IsBackward(connection))
            {
                if (!followed)
                    continue;
                if (!graph.IsValidBackward(connection))
                    throw new InvalidOperationException($"Invalid backward connection: every path from the start to '{connection.SourceId}' must pass '{connection.TargetId}'.");
                Enqueue(run, target, connection, backward: true, scope);
                continue;
            }
            var inbound = graph.ForwardInto(target.Id);
            switch (JoinModeOf(run, target))
            {
                case JoinMode.WaitAll when flow.AllInboundVisited(inbound, target.Id):
                    Continue(run, target, connection, flow.AllInboundFollowed(inbound, target.Id), scope);
                    break;
                case JoinMode.WaitAllActive when flow.AllInboundVisited(inbound, target.Id):
                    Continue(run, target, connection, flow.AnyInboundFollowed(inbound, target.Id), scope);
                    break;
                case JoinMode.WaitAny:
                    if (flow.AlreadyAnswered(connection) || run.Scheduled.Any(s => s.Node.Id == target.Id && s.ParentExecutionId == scope))
                        break;
                    if (flow.AnyInboundFollowed(inbound, target.Id))
                    {
                        Enqueue(run, target, connection, backward: false, scope);
                        // The first branch through cancels the others still on their way.
                        var ancestors = graph.Ancestors(target.Id);
                        run.CancelWhere(id => id != node.Id && ancestors.Contains(id), except: null, scope: scope ?? "");
                    }
                    else if (flow.AllInboundVisited(inbound, target.Id))
                        ScheduleOutbound(run, target, [], backward: false, scope);
                    break;
            }
        }
    }

    /// <summary>
    /// How a target merges its inbound connections: a FlowJoin by its Mode; any other activity is an implicit join,
    /// WaitAllActive unless the designer set its merge mode (Merge and Converge wait for all, Race for the first).
    /// </summary>
    private JoinMode JoinModeOf(InstanceRun run, ActivityNode target)
    {
        if (target.Type == FlowJoin.TypeName)
        {
            var mode = target.Inputs.TryGetValue("mode", out var input) && !input.IsEmpty
                ? ValueConversion.To<string>(services.Evaluator.Evaluate(input.ExpressionType, input.Value, run.NewScope()))
                : nameof(JoinMode.WaitAny);
            return Enum.TryParse<JoinMode>(mode, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw new InvalidOperationException($"Unknown join mode '{mode}'.");
        }
        return target.MergeMode switch
        {
            "Merge" or "Converge" => JoinMode.WaitAll,
            "Race" => JoinMode.WaitAny,
            _ => JoinMode.WaitAllActive,
        };
    }

    /// <summary>Runs a ready target, or skips it: a skipped activity counts as visited and passes "not followed" on.</summary>
    private void Continue(InstanceRun run, ActivityNode target, Connection via, bool ready, string? scope)
    {
        if (ready)
            Enqueue(run, target, via, backward: false, scope);
        else
            ScheduleOutbound(run, target, [], backward: false, scope);
    }

    private static void Enqueue(InstanceRun run, ActivityNode target, Connection via, bool backward, string? scope)
    {
        if (!run.Replaying)
            run.Scheduled.Enqueue(new ScheduledActivity(target, via, backward, scope));
    }

    /// <summary>State written before the flow scope existed: count the completed executions' visits as they happened.</summary>
    private void Replay(InstanceRun run)
    {
        run.Replaying = true;
        foreach (var done in run.State.Executions.Where(e => e.Status == ExecutionStatus.Completed).ToList())
        {
            if (run.Definition.ById.TryGetValue(done.ActivityId, out var node))
                ScheduleOutbound(run, node, done.Outcomes ?? [], done.Backward);
        }
        run.Replaying = false;
    }

    /// <summary>A value of a typed variable or input: Elsa writes numbers and booleans as strings ("0", "true").</summary>
    private static JsonNode? Typed(string typeName, JsonNode? value)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && typeName.Replace("System.", "") is "Int32" or "Int64" or "Double" or "Decimal" or "Single" or "Boolean"
            && JsonNode.Parse(v.GetValue<string>().Trim().ToLowerInvariant()) is JsonValue parsed)
            return parsed;
        return value;
    }

    internal void Cancel(InstanceRun run, ExecutionRecord record)
    {
        SyncRows(run, record, [], null);
        record.Status = ExecutionStatus.Canceled;
        record.CompletedAt = services.Clock.Now;
        Journal(run, record, "Cancelled");
        // A workflow run as an activity goes with the execution that waited for it (Elsa cancels a composite's children).
        if (record.Inputs?.GetValueOrDefault(WorkflowDefinitionActivity.ChildInput) is JsonValue child && child.TryGetValue<string>(out var childId))
            _toCancel.Enqueue(childId);
    }

    private readonly Queue<string> _toCancel = new();

    /// <summary>Cancels the child instances whose waiting parent execution was cancelled (and theirs in turn).</summary>
    private async Task CancelChildrenAsync(CancellationToken ct)
    {
        while (_toCancel.TryDequeue(out var id))
        {
            var child = await _db.Set<WorkflowInstance>().FindAsync([id], ct);
            if (child is not { Status: WorkflowStatus.Running, FindingId: { } findingId } || await _db.Set<Finding>().FindAsync([findingId], ct) is not { } finding)
                continue;
            var run = new InstanceRun(this, child, StateOf(child), await services.Definitions.ParsedAsync(_db, child.DefinitionVersionId, ct), finding);
            run.CancelWhere(_ => true, except: null, propagate: false);
            run.Cancelled = true;
            Save(run);
        }
    }

    private void Fault(InstanceRun run, ExecutionRecord record, Exception exception)
    {
        // A rule the finding refused keeps its stable code in the incident, as the API answers it.
        var message = exception is RectifyException r ? $"{r.Message} ({r.Code}: {r.MessageEn})" : exception.Message;
        logger.LogWarning(exception, "Workflow instance {Instance} faulted at {Activity}: {Message}", run.Instance.Id, record.ActivityId, message);
        SyncRows(run, record, [], null);
        record.Status = ExecutionStatus.Faulted;
        record.CompletedAt = services.Clock.Now;
        record.Exception = message;
        Journal(run, record, "Faulted");
        run.State.Incidents.Add(new Incident(record.ActivityId, record.NodeId, record.ActivityType, message, exception.GetType().Name, services.Clock.Now));
        run.Instance.Fault = $"{record.ActivityId}: {message}";
        // A faulted instance stops: nothing of it may fire later.
        run.CancelWhere(_ => true, except: record, propagate: false);
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
        else if (run.Cancelled)
        {
            instance.Status = WorkflowStatus.Finished;
            instance.SubStatus = WorkflowSubStatus.Cancelled;
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
        _lastSaved = (instance, instance.State, run.State);
        instance.CorrelationId = run.State.CorrelationId;
        instance.UpdatedAt = now;
        instance.Revision++;
    }

    internal void Journal(InstanceRun run, ExecutionRecord record, string eventName, string? message = null) =>
        run.State.Journal.Add(new JournalEntry(run.State.Journal.Count + 1, services.Clock.Now, record.ActivityId, record.NodeId, record.ActivityType, eventName, record.Id, message));

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
