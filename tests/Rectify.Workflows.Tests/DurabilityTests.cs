using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Testing;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;
using Rectify.Workflows.Timers;
using static Rectify.Workflows.Tests.WorkflowHost;

namespace Rectify.Workflows.Tests;

/// <summary>Exactly once across a restart and across two dispatchers; versions pinned per instance.</summary>
public class DurabilityTests
{
    [Fact]
    public async Task A_host_stopped_mid_batch_and_a_new_one_on_the_same_database_lose_nothing_and_repeat_nothing()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rectify-tests", Guid.NewGuid().ToString("N"));
        var first = await CreateAsync(directory: directory);
        var (units, category, inspection) = await SeedAsync(first);
        var ids = await StartAsync(first, _ => units.Select(u => Sample.Finding(u, category, inspection, new DateOnly(2026, 3, 13))));

        // The first reminders fire; then the host claims the second round and dies before firing it.
        Assert.Equal(units.Count, await AdvanceAsync(first, Local(3, 10, 12)));
        first.Clock.SetUtcNow(Local(3, 12, 9));
        var claimed = await first.Services.GetRequiredService<TimerDispatcher>().ClaimAsync();
        Assert.Equal(units.Count, claimed.Count);
        await first.Services.DisposeAsync();

        // A new host on the same file: the dead node's lease runs out, then every remaining timer fires once.
        await using var second = await CreateAsync(directory: directory, start: Local(3, 12, 9));
        Assert.Equal(0, await second.Services.GetRequiredService<TimerDispatcher>().FireDueAsync());
        Assert.Equal(2 * units.Count, await AdvanceAsync(second, Local(3, 16, 9)));

        var mail = await MailAsync(second);
        foreach (var id in ids)
        {
            Assert.Equal(
                [("assigned", Local(3, 2, 9)), ("reminder", Local(3, 10, 9)), ("reminder", Local(3, 12, 9).AddMinutes(2).AddMilliseconds(1)), ("overdue", Local(3, 14, 0)), ("overdue", Local(3, 14, 0))],
                mail.Where(m => m.FindingId == id).Select(m => (m.Template, m.At)));
        }
        Assert.All(await second.WithDbAsync(db => db.Set<Finding>().ToListAsync()), f => Assert.True(f.IsOverdue));
        Assert.Empty(await second.WithDbAsync(db => db.Set<WorkflowTimer>().ToListAsync()));
    }

    [Fact]
    public void Timers_are_fired_in_groups_that_keep_each_instance_whole_and_the_due_order()
    {
        // Claimed in due order: a's three timers, b's, c's two, d's; groups of about 3 prepared side by side.
        var claimed = new[] { "a", "b", "a", "c", "a", "c", "d" }
            .Select((instance, i) => new WorkflowTimer { InstanceId = instance, ActivityExecutionId = $"{i}", ActivityId = "wait" }).ToList();

        List<List<string>> GroupsOf(int size) =>
            [.. TimerDispatcher.Groups(claimed, () => size).Select(g => g.Select(t => $"{t.InstanceId}{t.ActivityExecutionId}").ToList())];

        // No instance in two groups (two groups never resume one instance at once), each instance's timers in due order,
        // the groups in the order of their first due timer, none larger than asked unless one instance alone is.
        Assert.Equal([["a0", "a2", "a4"], ["b1", "c3", "c5"], ["d6"]], GroupsOf(3));
        Assert.Equal([["a0", "a2", "a4"], ["b1"], ["c3", "c5"], ["d6"]], GroupsOf(2));
    }

    [Fact]
    public void Each_timer_group_is_cut_to_the_size_asked_when_it_is_taken()
    {
        var claimed = Enumerable.Range(0, 10).Select(i => new WorkflowTimer { InstanceId = $"i{i}", ActivityExecutionId = "1", ActivityId = "wait" }).ToList();
        var size = 2;

        var sizes = new List<int>();
        foreach (var group in TimerDispatcher.Groups(claimed, () => size))
        {
            sizes.Add(group.Length);
            // As the pacer does after a group's write: the groups not yet taken follow the new size.
            size = 4;
        }

        Assert.Equal([2, 4, 4], sizes);
    }

    [Fact]
    public async Task Instances_a_save_changed_are_written_together_and_one_stale_revision_fails_them_all()
    {
        await using var database = await CreateAsync();
        var (units, category, inspection) = await SeedAsync(database);
        await StartAsync(database, _ => units.Select(u => Sample.Finding(u, category, inspection, new DateOnly(2026, 3, 13))));
        var stored = await database.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.Revision));
        Assert.True(stored.Count >= 2);

        // A run changes its instances as the runner saves them; meanwhile another node resumes the last one first.
        await using var scope = database.Scope();
        var db = scope.ServiceProvider.GetRequiredService<Rectify.Data.RectifyDb>();
        var instances = await db.Set<WorkflowInstance>().OrderBy(i => i.Id).ToListAsync();
        foreach (var instance in instances)
        {
            instance.SubStatus = WorkflowSubStatus.Suspended;
            instance.UpdatedAt = database.Clock.GetUtcNow().AddMinutes(1);
            instance.Revision++;
        }
        var taken = instances[^1].Id;
        await database.WithDbAsync(async other =>
        {
            var instance = await other.Set<WorkflowInstance>().SingleAsync(i => i.Id == taken);
            instance.Revision++;
            return await other.SaveChangesAsync();
        });

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync());
        var afterConflict = await database.WithDbAsync(other => other.Set<WorkflowInstance>().AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.Revision));
        Assert.Equal(stored.ToDictionary(kv => kv.Key, kv => kv.Key == taken ? kv.Value + 1 : kv.Value), afterConflict);
        // The context still holds the run's changes as they were, so a retry against the current row can succeed.
        Assert.All(instances, i => Assert.Equal(EntityState.Modified, db.Entry(i).State));
        Assert.All(instances, i => Assert.Equal(stored[i.Id], db.Entry(i).Property(x => x.Revision).OriginalValue));

        db.Entry(instances[^1]).Property(x => x.Revision).OriginalValue = stored[taken] + 1;
        instances[^1].Revision = stored[taken] + 2;
        await db.SaveChangesAsync();
        var saved = await database.WithDbAsync(other => other.Set<WorkflowInstance>().AsNoTracking().ToListAsync());
        Assert.All(saved, i =>
        {
            Assert.Equal(i.Id == taken ? stored[i.Id] + 2 : stored[i.Id] + 1, i.Revision);
            Assert.Equal(WorkflowSubStatus.Suspended, i.SubStatus);
            Assert.Equal(database.Clock.GetUtcNow().AddMinutes(1), i.UpdatedAt);
        });
        // Saved means unchanged: nothing is written twice.
        Assert.All(instances, i => Assert.Equal(EntityState.Unchanged, db.Entry(i).State));
        Assert.Equal(0, await db.SaveChangesAsync());
    }

    [Fact]
    public async Task Two_dispatchers_racing_on_one_database_fire_every_timer_once()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rectify-tests", Guid.NewGuid().ToString("N"));
        // Small claims and groups so the two nodes interleave many times.
        var settings = new Dictionary<string, string?> { ["Workflows:ClaimBatchSize"] = "10", ["Workflows:FireGroupSize"] = "4" };
        await using var nodeA = await CreateAsync(settings, directory);
        var (units, category, inspection) = await SeedAsync(nodeA);
        const int perUnit = 8;
        await StartAsync(nodeA, _ => units.SelectMany(u => Enumerable.Range(0, perUnit).Select(i => Sample.Finding(u, category, inspection, new DateOnly(2026, 3, 13), $"问题{i}"))));
        var findings = units.Count * perUnit;
        Assert.Equal(3 * findings, await nodeA.WithDbAsync(db => db.Set<WorkflowTimer>().CountAsync()));

        await using var nodeB = await CreateAsync(settings, directory);
        var after = Local(3, 16, 9);
        nodeA.Clock.SetUtcNow(after);
        nodeB.Clock.SetUtcNow(after);
        var dispatchers = new[] { nodeA, nodeB, nodeA, nodeB }.Select(n => new TimerDispatcher(
            n.Services.GetRequiredService<IServiceScopeFactory>(), n.Clock,
            n.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WorkflowOptions>>(),
            n.Services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<TimerDispatcher>>())).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // Every dispatcher claims once before any fires, all at the same moment: the claims contend for the same due rows
        // however the threads are scheduled (a machine could otherwise let one dispatcher take everything first). Then
        // each fires what it took while claiming whatever is left, side by side.
        var claims = await Task.WhenAll(dispatchers.Select(d => Task.Run(() => d.ClaimAsync())));
        var fired = await Task.WhenAll(dispatchers.Select((d, i) => Task.Run(async () => await d.FireAsync(claims[i]) + await d.FireDueAsync())));
        Console.WriteLine($"race: {fired.Sum()} timers in {watch.ElapsedMilliseconds} ms ({string.Join(",", fired)})");

        Assert.Equal(3 * findings, fired.Sum());
        Assert.True(fired.Count(f => f > 0) >= 2, $"Only one dispatcher got work: {string.Join(",", fired)}");
        Assert.Empty(await nodeA.WithDbAsync(db => db.Set<WorkflowTimer>().ToListAsync()));
        var mail = await MailAsync(nodeA);
        Assert.Equal(2 * findings, mail.Count(m => m.Template == "reminder"));
        Assert.Equal(2 * findings, mail.Count(m => m.Template == "overdue"));
        Assert.All(mail.Where(m => m.Template != "assigned").GroupBy(m => m.FindingId), g => Assert.Equal(
            [("overdue", RecipientKind.Leader), ("overdue", RecipientKind.Supervisors), ("reminder", RecipientKind.Liaison), ("reminder", RecipientKind.Liaison)],
            g.Select(m => (m.Template, m.Kind)).Order()));
        var instances = await nodeA.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().ToListAsync());
        Assert.All(instances, i =>
        {
            var state = InstanceState.Read(i.State);
            Assert.Equal(3, state.Journal.Count(j => j.EventName == "Resumed"));
            Assert.Single(state.Executions, e => e.ActivityId == "escalate");
        });
    }

    [Fact]
    public async Task Timers_retried_one_by_one_after_a_conflict_leave_the_group_size_as_it_was()
    {
        await using var host = await CreateAsync();
        var (dispatcher, sized) = await FireFirstRemindersAsync(host);

        // The second reminders: one of a group is fired by another node meanwhile, so the group fails and its timers are retried alone.
        host.Clock.SetUtcNow(Local(3, 12, 9));
        // No more than the smallest group the pacer cuts: fired as one group.
        var group = (await dispatcher.ClaimAsync()).Take(ChunkPacer.MinSize).ToList();
        var elsewhere = group[5];
        await host.WithDbAsync(db => db.Set<WorkflowTimer>()
            .Where(t => t.InstanceId == elsewhere.InstanceId && t.ActivityExecutionId == elsewhere.ActivityExecutionId).ExecuteDeleteAsync());

        Assert.Equal(group.Count - 1, await dispatcher.FireAsync(group));
        Assert.Equal(sized, dispatcher.NextGroupSize);
    }

    [Fact]
    public async Task A_few_timers_fired_between_catch_ups_leave_the_group_size_as_it_was()
    {
        await using var host = await CreateAsync();
        var (dispatcher, sized) = await FireFirstRemindersAsync(host);

        // A poll that finds only a few due: a group far smaller than asked, mostly the fixed cost of a write.
        host.Clock.SetUtcNow(Local(3, 12, 9));
        var few = (await dispatcher.ClaimAsync()).Take(5).ToList();

        Assert.Equal(few.Count, await dispatcher.FireAsync(few));
        Assert.Equal(sized, dispatcher.NextGroupSize);
    }

    /// <summary>Fires the first reminders of 40 findings a unit in groups the pacer times and sizes; returns the size they reached.</summary>
    private static async Task<(TimerDispatcher Dispatcher, int Sized)> FireFirstRemindersAsync(TestDatabase host)
    {
        var (units, category, inspection) = await SeedAsync(host);
        await StartAsync(host, _ => units.SelectMany(u => Enumerable.Range(0, 40).Select(i => Sample.Finding(u, category, inspection, new DateOnly(2026, 3, 13), $"问题{i}"))));
        var dispatcher = host.Services.GetRequiredService<TimerDispatcher>();
        Assert.Equal(40 * units.Count, await AdvanceAsync(host, Local(3, 10, 12), dispatcher));
        return (dispatcher, dispatcher.NextGroupSize);
    }

    [Fact]
    public async Task A_definition_published_after_a_finding_started_does_not_change_its_run()
    {
        await using var database = await CreateAsync();
        var (units, category, inspection) = await SeedAsync(database);
        var before = (await StartAsync(database, _ => [Sample.Finding(units[0], category, inspection, new DateOnly(2026, 3, 13))]))[0];

        // Version 2: one reminder only, five working days before.
        await using (var scope = database.Scope(Sample.Supervisor))
        {
            var store = scope.ServiceProvider.GetRequiredService<WorkflowDefinitionStore>();
            var doc = JsonNode.Parse((await store.GetAsync("rectification"))!.Json)!;
            var activities = doc["root"]!["activities"]!.AsArray();
            activities.Single(a => (string?)a!["id"] == "remind3")!["offset"]!["expression"]!["value"] = "-5";
            var connections = doc["root"]!["connections"]!.AsArray();
            connections.Remove(connections.Single(c => (string?)c!["source"]!["port"] == "Reminder1"));
            doc["root"]!["activities"]!.AsArray()
                .Single(a => (string?)a!["id"] == "fork")!["branches"]!["expression"]!["value"] = "Reminder3,Report";
            var published = await store.SaveAndPublishAsync(doc.ToJsonString());
            Assert.Equal(2, published.Version);
        }
        var after = (await StartAsync(database, _ => [Sample.Finding(units[1], category, inspection, new DateOnly(2026, 3, 13))]))[0];

        var instances = await database.WithDbAsync(db => db.Set<WorkflowInstance>().AsNoTracking().ToDictionaryAsync(i => i.FindingId!.Value));
        Assert.Equal(1, instances[before].DefinitionVersion);
        Assert.Equal(2, instances[after].DefinitionVersion);

        await AdvanceAsync(database, Local(3, 13, 12));
        var mail = await MailAsync(database);
        Assert.Equal([Local(3, 10, 9), Local(3, 12, 9)], mail.Where(m => m.FindingId == before && m.Template == "reminder").Select(m => m.At));
        Assert.Equal([Local(3, 6, 9)], mail.Where(m => m.FindingId == after && m.Template == "reminder").Select(m => m.At));
    }
}
