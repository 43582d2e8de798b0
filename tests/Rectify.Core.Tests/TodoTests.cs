using Microsoft.Extensions.DependencyInjection;
using Rectify.Auditing;
using Rectify.Categories;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Testing;
using Rectify.Todo;
using Rectify.Units;

namespace Rectify.Core.Tests;

/// <summary>
/// The to-do lists and navigation counts on a real database, on Wednesday 2026-04-01 before Qingming (4–6 April off):
/// "due within 3 working days" reaches Tuesday 7 April, not the calendar's Saturday.
/// </summary>
public sealed class TodoTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private List<Unit> _units = null!;
    private Category _category = null!;
    private Inspection _inspection = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(start: new DateTimeOffset(2026, 4, 1, 1, 0, 0, TimeSpan.Zero));
        (_units, _category, _inspection) = await _db.WithDbAsync(db => Sample.SeedAsync(db));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<T> AsAsync<T>(Actor actor, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = _db.Scope(actor);
        return await work(scope.ServiceProvider);
    }

    private async Task<int> IssueAsync(int unitIndex, DateOnly deadline, string description)
    {
        var input = new FindingInput
        {
            InspectionId = _inspection.Id, UnitId = _units[unitIndex].Id, CategoryId = _category.Id,
            Description = description, Requirement = "及时更新", Deadline = deadline,
        };
        var id = (await AsAsync(Sample.Auditor, sp => sp.GetRequiredService<FindingService>().CreateAsync(input, Sample.Auditor))).Id;
        await AsAsync(Sample.Auditor, sp => sp.GetRequiredService<FindingService>().IssueAsync([id], Sample.Auditor));
        return id;
    }

    [Fact]
    public async Task Due_soon_counts_working_days_across_a_holiday_and_a_liaison_sees_only_its_unit()
    {
        var tuesday = await IssueAsync(0, new DateOnly(2026, 4, 7), "节后第一个工作日到期");
        var wednesday = await IssueAsync(0, new DateOnly(2026, 4, 8), "节后第二个工作日到期");
        var other = await IssueAsync(1, new DateOnly(2026, 4, 2), "另一单位明日到期");

        var auditor = await AsAsync(Sample.Auditor, sp => sp.GetRequiredService<TodoService>().GetAsync(Sample.Auditor));
        Assert.Equal([other, tuesday], auditor.DueSoon.Items.Select(f => f.Id));
        Assert.Equal(3, auditor.DueSoon.Items.Single(f => f.Id == tuesday).Remaining.WorkingDays);

        var liaison = Sample.LiaisonOf(_units[0].Id);
        var mine = await AsAsync(liaison, sp => sp.GetRequiredService<TodoService>().GetAsync(liaison));
        Assert.Equal([tuesday], mine.DueSoon.Items.Select(f => f.Id));
        Assert.Equal([wednesday], mine.ToRectify.Items.Select(f => f.Id));
        Assert.Empty(mine.Returned.Items);
        Assert.Empty(mine.FailedMails.Items);
        Assert.Equal(new NavCounts(2, 0), await AsAsync(liaison, sp => sp.GetRequiredService<TodoService>().CountsAsync(liaison)));
        var elsewhere = Sample.LiaisonOf(_units[1].Id);
        Assert.Equal(new NavCounts(1, 0), await AsAsync(elsewhere, sp => sp.GetRequiredService<TodoService>().CountsAsync(elsewhere)));
    }
}
