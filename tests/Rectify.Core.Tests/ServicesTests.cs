using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Auditing;
using Rectify.Categories;
using Rectify.Dashboard;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Reports;
using Rectify.Testing;
using Rectify.Units;

namespace Rectify.Core.Tests;

/// <summary>The services the pages and the API share, on a real SQLite file built by the migrations.</summary>
public sealed class ServicesTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private List<Unit> _units = null!;
    private Category _category = null!;
    private Inspection _inspection = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        (_units, _category, _inspection) = await _db.WithDbAsync(db => Sample.SeedAsync(db));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<T> AsAsync<TService, T>(Actor actor, Func<TService, Task<T>> work) where TService : notnull
    {
        await using var scope = _db.Scope(actor);
        return await work(scope.ServiceProvider.GetRequiredService<TService>());
    }

    private FindingInput Input(int unitIndex, DateOnly deadline, string description = "招生计划目录本年度未更新") => new()
    {
        InspectionId = _inspection.Id,
        UnitId = _units[unitIndex].Id,
        CategoryId = _category.Id,
        Location = "基层政务公开领域-义务教育",
        Description = description,
        Requirement = "及时更新",
        Deadline = deadline,
    };

    [Fact]
    public async Task Migrations_build_the_schema_from_nothing()
    {
        await _db.WithDbAsync(async db =>
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
            var tablesQuery = db.Database.IsSqlite()
                ? "SELECT name AS Value FROM sqlite_master WHERE type='table'"
                : "SELECT table_name AS Value FROM information_schema.tables WHERE table_schema='public'";
            var tables = await db.Database.SqlQueryRaw<string>(tablesQuery).ToListAsync();
            foreach (var mapped in db.Model.GetEntityTypes().Select(t => t.GetTableName()).OfType<string>().Distinct())
                Assert.Contains(mapped, tables);
            if (db.Database.IsSqlite())
            {
                var journal = await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync();
                Assert.Equal("wal", journal.Single());
                Assert.True(File.Exists(Path.Combine(_db.Directory, "rectify.db")));
            }
            return 0;
        });
    }

    [Fact]
    public async Task Create_edit_issue_and_search_findings_with_every_filter()
    {
        var deadlines = new[] { new DateOnly(2026, 3, 10), new DateOnly(2026, 3, 20), new DateOnly(2026, 3, 30) };
        var ids = new List<int>();
        for (var i = 0; i < 3; i++)
            ids.Add((await AsAsync<FindingService, Finding>(Sample.Auditor, s => s.CreateAsync(Input(i, deadlines[i], $"问题{i}"), Sample.Auditor))).Id);
        await AsAsync<FindingService, Finding>(Sample.Auditor, s => s.UpdateAsync(ids[0], Input(0, deadlines[0], "问题0 已修改"), Sample.Auditor));
        await AsAsync<FindingService, IReadOnlyList<Finding>>(Sample.Auditor, s => s.IssueAsync(ids.Take(2).ToList(), Sample.Auditor));

        async Task<List<int>> Search(FindingFilter filter, Actor? actor = null) =>
            (await AsAsync<FindingService, Common.Page<FindingRow>>(actor ?? Sample.Auditor, s => s.SearchAsync(filter, actor ?? Sample.Auditor))).Items.Select(r => r.Id).ToList();

        Assert.Equal(ids, await Search(new FindingFilter()));
        Assert.Equal([ids[2], ids[1], ids[0]], await Search(new FindingFilter { Sort = "-deadline" }));
        Assert.Equal([ids[1]], await Search(new FindingFilter { UnitId = _units[1].Id }));
        Assert.Equal([ids[2]], await Search(new FindingFilter { Status = FindingStatus.Draft }));
        Assert.Equal([ids[0], ids[1]], await Search(new FindingFilter { Status = FindingStatus.Assigned }));
        Assert.Equal(ids, await Search(new FindingFilter { CategoryId = _category.Id }));
        Assert.Empty(await Search(new FindingFilter { Overdue = true }));
        Assert.Equal([ids[1], ids[2]], await Search(new FindingFilter { DeadlineFrom = new DateOnly(2026, 3, 11) }));
        Assert.Equal([ids[0], ids[1]], await Search(new FindingFilter { DeadlineTo = new DateOnly(2026, 3, 20) }));
        Assert.Equal([ids[0]], await Search(new FindingFilter { Text = "已修改" }));
        var page2 = await AsAsync<FindingService, Common.Page<FindingRow>>(Sample.Auditor, s => s.SearchAsync(new FindingFilter { PageSize = 2, Page = 2 }, Sample.Auditor));
        Assert.Equal((3, 2), (page2.Total, page2.PageCount));
        Assert.Equal([ids[2]], page2.Items.Select(r => r.Id));
        // A liaison sees its own unit's issued findings only; supervisors never see drafts.
        Assert.Equal([ids[0]], await Search(new FindingFilter(), Sample.LiaisonOf(_units[0].Id)));
        Assert.Equal([ids[0]], await Search(new FindingFilter { UnitId = _units[0].Id }, Sample.LiaisonOf(_units[0].Id)));
        Assert.Empty(await Search(new FindingFilter { UnitId = _units[1].Id }, Sample.LiaisonOf(_units[0].Id)));
        Assert.Equal([ids[0], ids[1]], await Search(new FindingFilter(), Sample.Supervisor));

        var detail = await AsAsync<FindingService, FindingDetail>(Sample.Auditor, s => s.GetAsync(ids[0], Sample.Auditor));
        Assert.Equal(["finding.created", "finding.edited", "finding.assigned"], detail.History.Select(h => h.Action));
        Assert.Equal("问题0 已修改", detail.Finding.Description);
        // Mon 03-02 to Tue 03-10: six working days (the weekend does not count).
        Assert.Equal(6, detail.DaysLeft);
        await Assert.ThrowsAsync<RectifyException>(() => AsAsync<FindingService, FindingDetail>(Sample.LiaisonOf(_units[1].Id), s => s.GetAsync(ids[0], Sample.LiaisonOf(_units[1].Id))));
        await Assert.ThrowsAsync<RectifyException>(() => AsAsync<FindingService, FindingDetail>(Sample.LiaisonOf(_units[2].Id), s => s.GetAsync(ids[2], Sample.LiaisonOf(_units[2].Id))));
    }

    [Fact]
    public async Task The_list_total_is_per_viewer_and_follows_every_change_at_once()
    {
        Task<int> Total(Actor actor, FindingFilter? filter = null) =>
            AsAsync<FindingService, int>(actor, async s => (await s.SearchAsync(filter ?? new FindingFilter(), actor)).Total);
        var first = (await AsAsync<FindingService, Finding>(Sample.Auditor, s => s.CreateAsync(Input(0, new DateOnly(2026, 3, 10)), Sample.Auditor))).Id;
        await AsAsync<FindingService, Finding>(Sample.Auditor, s => s.CreateAsync(Input(0, new DateOnly(2026, 3, 11)), Sample.Auditor));
        await AsAsync<FindingService, IReadOnlyList<Finding>>(Sample.Auditor, s => s.IssueAsync([first], Sample.Auditor));

        // Same filter, different viewers: each gets its own count (drafts and other units' findings stay hidden).
        Assert.Equal(2, await Total(Sample.Auditor));
        Assert.Equal(1, await Total(Sample.Supervisor));
        Assert.Equal(1, await Total(Sample.LiaisonOf(_units[0].Id)));
        Assert.Equal(0, await Total(Sample.LiaisonOf(_units[1].Id)));
        Assert.Equal(1, await Total(Sample.Auditor, new FindingFilter { Status = FindingStatus.Draft }));

        // A new finding and an issued draft show in the very next count, well within the cached count's age.
        var third = (await AsAsync<FindingService, Finding>(Sample.Auditor, s => s.CreateAsync(Input(1, new DateOnly(2026, 3, 12)), Sample.Auditor))).Id;
        Assert.Equal(3, await Total(Sample.Auditor));
        Assert.Equal(2, await Total(Sample.Auditor, new FindingFilter { Status = FindingStatus.Draft }));
        await AsAsync<FindingService, IReadOnlyList<Finding>>(Sample.Auditor, s => s.IssueAsync([third], Sample.Auditor));
        Assert.Equal(2, await Total(Sample.Supervisor));
        Assert.Equal(1, await Total(Sample.LiaisonOf(_units[1].Id)));
        Assert.Equal(1, await Total(Sample.Auditor, new FindingFilter { Status = FindingStatus.Draft }));
    }

    [Fact]
    public async Task Only_auditors_record_findings_and_only_drafts_are_issued()
    {
        var error = await Assert.ThrowsAsync<RectifyException>(() => AsAsync<FindingService, Finding>(Sample.Supervisor, s => s.CreateAsync(Input(0, new DateOnly(2026, 3, 10)), Sample.Supervisor)));
        Assert.Equal(RectifyErrorKind.Forbidden, error.Kind);
        Assert.Equal("finding.description_required", (await Assert.ThrowsAsync<RectifyException>(() =>
            AsAsync<FindingService, Finding>(Sample.Auditor, s => s.CreateAsync(Input(0, new DateOnly(2026, 3, 10), " "), Sample.Auditor)))).Code);
        var id = (await AsAsync<FindingService, Finding>(Sample.Auditor, s => s.CreateAsync(Input(0, new DateOnly(2026, 3, 10)), Sample.Auditor))).Id;
        await AsAsync<FindingService, IReadOnlyList<Finding>>(Sample.Auditor, s => s.IssueAsync([id], Sample.Auditor));
        Assert.Equal("finding.illegal_transition", (await Assert.ThrowsAsync<RectifyException>(() =>
            AsAsync<FindingService, IReadOnlyList<Finding>>(Sample.Auditor, s => s.IssueAsync([id], Sample.Auditor)))).Code);
    }

    [Fact]
    public async Task Dashboard_counts_by_status_and_ranks_units_by_on_time_completion()
    {
        var ids = new List<int>();
        foreach (var (unit, deadline) in new[] { (0, 10), (0, 10), (1, 10), (2, 10) })
            ids.Add((await AsAsync<FindingService, Finding>(Sample.Auditor, s => s.CreateAsync(Input(unit, new DateOnly(2026, 3, deadline)), Sample.Auditor))).Id);
        await AsAsync<FindingService, IReadOnlyList<Finding>>(Sample.Auditor, s => s.IssueAsync(ids.Take(3).ToList(), Sample.Auditor));
        foreach (var id in ids.Take(2))
        {
            var liaison = Sample.LiaisonOf(_units[0].Id);
            var report = await AsAsync<FindingLifecycle, RectificationReport>(liaison, l => l.SubmitReportAsync(id, new ReportContent("已整改", true, [], []), liaison));
            await AsAsync<FindingLifecycle, RectificationReport>(Sample.Auditor, l => l.ReviewAsync(id, report.Id, id == ids[0], "补充材料", Sample.Auditor));
        }

        var view = await AsAsync<DashboardService, DashboardView>(Sample.Auditor, s => s.GetAsync(Sample.Auditor));
        Assert.Equal(1, view.Count(FindingStatus.Accepted));
        Assert.Equal(1, view.Count(FindingStatus.Returned));
        Assert.Equal(1, view.Count(FindingStatus.Assigned));
        Assert.Equal(1, view.Count(FindingStatus.Draft));
        Assert.Equal(3, view.Total);
        var education = view.Units.Single(u => u.UnitName == "教育局");
        Assert.Equal((2, 1, 1, 0.5), (education.Total, education.Accepted, education.AcceptedOnTime, education.CompletionRate));
        Assert.Equal("教育局", view.Units[0].UnitName);

        var mine = await AsAsync<DashboardService, DashboardView>(Sample.LiaisonOf(_units[1].Id), s => s.GetAsync(Sample.LiaisonOf(_units[1].Id)));
        Assert.Equal(["科技局"], mine.Units.Select(u => u.UnitName));
        Assert.Equal(1, mine.Total);
    }

    [Fact]
    public async Task The_dashboard_ranks_a_new_unit_at_once()
    {
        Task<DashboardView> View() => AsAsync<DashboardService, DashboardView>(Sample.Supervisor, s => s.GetAsync(Sample.Supervisor));
        Assert.DoesNotContain((await View()).Units, u => u.UnitName == "司法局");
        await AsAsync<UnitService, Unit>(Sample.Supervisor, s => s.CreateAsync(new UnitInput { Name = "司法局" }, Sample.Supervisor));
        Assert.Contains((await View()).Units, u => u.UnitName == "司法局");
    }

    [Fact]
    public async Task The_ledger_drop_downs_show_a_new_unit_category_or_inspection_at_once()
    {
        Task<IReadOnlyList<Choice>> Choices(Func<FindingChoices, Task<IReadOnlyList<Choice>>> list) =>
            AsAsync(Sample.Auditor, list);
        // Read first, so that each list is cached when the changes are saved.
        Assert.Equal(_units.Select(u => u.Id), (await Choices(c => c.UnitsAsync(Sample.Auditor))).Select(c => c.Id));
        Assert.Equal([_category.Id], (await Choices(c => c.CategoriesAsync(Sample.Auditor))).Select(c => c.Id));
        Assert.Equal([_inspection.Id], (await Choices(c => c.InspectionsAsync(Sample.Auditor))).Select(c => c.Id));

        var unit = await AsAsync<UnitService, Unit>(Sample.Supervisor, s => s.CreateAsync(new UnitInput { Name = "司法局" }, Sample.Supervisor));
        var category = await AsAsync<CategoryService, Category>(Sample.Supervisor, s => s.CreateAsync(new CategoryInput("依申请公开", "Disclosure on request"), Sample.Supervisor));
        var inspection = await AsAsync<InspectionService, Inspection>(Sample.Auditor, s => s.CreateAsync(
            new InspectionInput("2026年3月政务公开检查", InspectionKind.MonthlyNotice, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31)), Sample.Auditor));

        // No time has passed: the saves themselves make the cached lists stale.
        Assert.Contains(new Choice(unit.Id, "司法局"), await Choices(c => c.UnitsAsync(Sample.Auditor)));
        Assert.Contains(new Choice(category.Id, "依申请公开", "Disclosure on request"), await Choices(c => c.CategoriesAsync(Sample.Auditor)));
        Assert.Equal([inspection.Id, _inspection.Id], (await Choices(c => c.InspectionsAsync(Sample.Auditor))).Select(c => c.Id));
        await AsAsync<CategoryService, Category>(Sample.Supervisor, s => s.UpdateAsync(category.Id, new CategoryInput("依申请公开", IsActive: false), Sample.Supervisor));
        Assert.DoesNotContain(await Choices(c => c.CategoriesAsync(Sample.Auditor)), c => c.Id == category.Id);

        // A change this process did not save (another node's) shows once the cached list is old enough.
        await _db.WithDbAsync(db => db.Set<Category>().Where(c => c.Id == _category.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, "主动公开（改）")));
        _db.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Contains(await Choices(c => c.CategoriesAsync(Sample.Auditor)), c => c.Name == "主动公开（改）");

        // Only the office's staff pick from these lists (the ledger and the finding form are theirs).
        var liaison = Sample.LiaisonOf(_units[0].Id);
        Assert.Equal(RectifyErrorKind.Forbidden, (await Assert.ThrowsAsync<RectifyException>(() =>
            AsAsync<FindingChoices, IReadOnlyList<Choice>>(liaison, c => c.UnitsAsync(liaison)))).Kind);
    }

    [Fact]
    public async Task Supervisors_manage_units_contacts_and_categories_with_an_audit_event_each()
    {
        var input = new UnitInput
        {
            Name = "司法局", Aliases = "区司法局", Kind = UnitKind.Department,
            Leader = new Contact { Name = "钱正", Title = "局长", Phone = "0553-5800001", Email = "sfj.leader@example.gov.cn" },
            Liaison = new Contact { Name = "孙明", Title = "科员", Phone = "13900000000", Email = "sfj@example.gov.cn" },
        };
        Assert.Equal(RectifyErrorKind.Forbidden, (await Assert.ThrowsAsync<RectifyException>(() => AsAsync<UnitService, Unit>(Sample.Auditor, s => s.CreateAsync(input, Sample.Auditor)))).Kind);
        var unit = await AsAsync<UnitService, Unit>(Sample.Supervisor, s => s.CreateAsync(input, Sample.Supervisor));
        await AsAsync<UnitService, Unit>(Sample.Supervisor, s => s.UpdateAsync(unit.Id, input with { Liaison = new Contact { Name = "周新", Email = "sfj2@example.gov.cn" }, ParentId = _units[0].Id }, Sample.Supervisor));
        Assert.Equal("unit.parent_invalid", (await Assert.ThrowsAsync<RectifyException>(() =>
            AsAsync<UnitService, Unit>(Sample.Supervisor, s => s.UpdateAsync(_units[0].Id, new UnitInput { Name = "教育局", ParentId = unit.Id }, Sample.Supervisor)))).Code);
        Assert.Equal("unit.email_invalid", (await Assert.ThrowsAsync<RectifyException>(() =>
            AsAsync<UnitService, Unit>(Sample.Supervisor, s => s.UpdateAsync(unit.Id, input with { Liaison = new Contact { Email = "不是邮箱" } }, Sample.Supervisor)))).Code);
        var saved = await AsAsync<UnitService, Unit>(Sample.Supervisor, s => s.GetAsync(unit.Id, Sample.Supervisor));
        Assert.Equal(("周新", "sfj2@example.gov.cn", "教育局"), (saved.Liaison.Name, saved.Liaison.Email, saved.Parent!.Name));
        await Assert.ThrowsAsync<RectifyException>(() => AsAsync<UnitService, Unit>(Sample.LiaisonOf(_units[1].Id), s => s.GetAsync(unit.Id, Sample.LiaisonOf(_units[1].Id))));

        var category = await AsAsync<CategoryService, Category>(Sample.Supervisor, s => s.CreateAsync(new CategoryInput("依申请公开", "Disclosure on request"), Sample.Supervisor));
        await AsAsync<CategoryService, Category>(Sample.Supervisor, s => s.UpdateAsync(category.Id, new CategoryInput("依申请公开", "On request", IsActive: false), Sample.Supervisor));
        Assert.Equal("category.name_taken", (await Assert.ThrowsAsync<RectifyException>(() =>
            AsAsync<CategoryService, Category>(Sample.Supervisor, s => s.CreateAsync(new CategoryInput("主动公开"), Sample.Supervisor)))).Code);
        Assert.DoesNotContain(await AsAsync<CategoryService, IReadOnlyList<Category>>(Sample.Auditor, s => s.ListAsync()), c => c.Id == category.Id);

        var audit = await _db.WithDbAsync(db => db.Set<AuditEvent>().Where(a => a.ActorId == Sample.Supervisor.Id).OrderBy(a => a.Id).ToListAsync());
        Assert.Equal(["unit.created", "unit.edited", "category.created", "category.edited"], audit.Select(a => a.Action));
        Assert.Contains("周新", audit[1].After);
        Assert.Contains("孙明", audit[1].Before);
    }

    [Fact]
    public async Task Inspections_are_recorded_by_auditors_and_listed_with_counts()
    {
        Assert.Equal(RectifyErrorKind.Forbidden, (await Assert.ThrowsAsync<RectifyException>(() =>
            AsAsync<InspectionService, IReadOnlyList<InspectionRow>>(Sample.LiaisonOf(_units[0].Id), s => s.ListAsync(Sample.LiaisonOf(_units[0].Id))))).Kind);
        var created = await AsAsync<InspectionService, Inspection>(Sample.Auditor, s => s.CreateAsync(
            new InspectionInput("2026年上半年政务公开考评", InspectionKind.HalfYearAssessment, new DateOnly(2026, 1, 1), new DateOnly(2026, 6, 30)), Sample.Auditor));
        Assert.Equal("inspection.period_invalid", (await Assert.ThrowsAsync<RectifyException>(() => AsAsync<InspectionService, Inspection>(Sample.Auditor, s => s.CreateAsync(
            new InspectionInput("错", InspectionKind.MonthlyNotice, new DateOnly(2026, 2, 1), new DateOnly(2026, 1, 1)), Sample.Auditor)))).Code);
        await AsAsync<FindingService, Finding>(Sample.Auditor, s => s.CreateAsync(Input(0, new DateOnly(2026, 3, 10)), Sample.Auditor));
        var list = await AsAsync<InspectionService, IReadOnlyList<InspectionRow>>(Sample.Supervisor, s => s.ListAsync(Sample.Supervisor));
        Assert.Equal(2, list.Count);
        Assert.Equal(1, list.Single(i => i.Id == _inspection.Id).Findings);
        Assert.Equal(0, list.Single(i => i.Id == created.Id).Findings);
    }
}
