using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rectify.Categories;
using Rectify.Data;
using Rectify.Findings;
using Rectify.Inspections;
using Rectify.Time;
using Rectify.Units;
using Rectify.Users;

namespace Rectify.Web.Demo;

public sealed record DemoLogin(string Role, string UserName, string Password, string Description);

/// <summary>
/// The demo office, seeded once into an empty database: the units of the seeds with their 责任人联系表, the
/// category catalogue, one auditor, one supervisor, one liaison per unit, and a third-party inspection whose
/// findings are those of the district notice in seeds/000 (the exact columns missing or stale per unit).
/// </summary>
public sealed class DemoData(RectifyDb db, UserManager<AppUser> users, FindingIssuer findings, OfficeClock clock,
    WorkingDayCalendar calendar, ILogger<DemoData> logger)
{
    public const string Password = "Rectify#2026";

    private sealed record DemoUnit(string Login, string Name, string Aliases, UnitKind Kind, string Leader, string LeaderTitle, string Liaison, string LiaisonTitle);

    private static readonly DemoUnit[] Units =
    [
        new("jyj", "教育局", "区教育局", UnitKind.Department, "王建国", "局长", "李晓燕", "办公室科员"),
        new("kjj", "科技局", "区科技局", UnitKind.Department, "陈志强", "局长", "赵敏", "综合科副科长"),
        new("zjj", "住交局", "区住交局、住房和交通建设局", UnitKind.Department, "刘伟", "局长", "孙丽", "办公室主任"),
        new("wjw", "卫健委", "区卫健委、卫生健康委员会", UnitKind.Department, "张红", "主任", "周杰", "办公室科员"),
        new("mtjd", "马塘街道", "马塘街道办事处", UnitKind.Township, "黄海涛", "党工委书记", "吴芳", "党政办科员"),
        new("fgw", "发改委", "区发改委、发展和改革委员会", UnitKind.Department, "郑国平", "主任", "何静", "办公室副主任"),
        new("rsj", "人社局", "区人社局、人力资源和社会保障局", UnitKind.Department, "冯志刚", "局长", "许婷", "办公室科员"),
        new("czj", "财政局", "区财政局", UnitKind.Department, "曹建华", "局长", "邓欣", "综合科科员"),
        new("bmjd", "白马街道", "白马街道办事处", UnitKind.Township, "彭立新", "党工委书记", "蒋慧", "党政办主任"),
        new("znjd", "中南街道", "中南街道办事处", UnitKind.Township, "沈卫东", "党工委书记", "韩雪", "党政办科员"),
        new("scj", "市场局", "区市场局、市场监督管理局、市场监管局", UnitKind.Department, "唐明", "局长", "杨柳", "办公室科员"),
        new("ybj", "医保局", "区医保局、医疗保障局", UnitKind.Department, "谢文斌", "局长", "罗佳", "办公室科员"),
    ];

    private static readonly (string Name, string NameEn, string Description)[] Categories =
    [
        ("主动公开", "Proactive disclosure", "法定主动公开内容缺失、更新不及时"),
        ("政策解读", "Policy interpretation", "政策文件未解读、解读与文件未关联"),
        ("平台建设", "Platform building", "政府网站、专栏栏目设置与维护"),
        ("互动服务", "Interactive services", "留言答复、在线访谈、征集调查"),
        ("信息审核", "Content review", "信息发布审核、泄露个人隐私、错别字"),
        ("政务新媒体", "Government new media", "政务公众号、微博的运维与关注"),
        ("12345热线", "12345 hotline", "工单办理时限、逾期风险"),
        ("重点工作落实", "Key tasks", "省市重点工作、专项任务落实情况"),
    ];

    /// <summary>The findings of seeds/000, per unit: login of the unit, category, location, description, requirement, working days.</summary>
    private static readonly (string Unit, string Category, string Location, string Description, string Requirement, int Days, Severity Severity)[] Findings =
    [
        ("jyj", "主动公开", "基层政务公开领域-义务教育-招生计划", "招生计划目录本年度未更新。", "及时公开本年度招生计划。", 10, Severity.Normal),
        ("jyj", "主动公开", "基层政务公开领域-义务教育-学生管理-优待政策", "优待政策未及时公开相关信息，多个子目录本年度未更新或更新较少。", "在“学生管理-优待政策”栏目及时公开相关信息。", 10, Severity.Normal),
        ("jyj", "政策解读", "政务公开-政策解读", "未公开本年度本级政策解读，解读未与文件相关联。", "对民生关注的政策文件及时跟进解读，并做到解读与文件相关联。", 15, Severity.Serious),
        ("kjj", "主动公开", "政务公开-规划计划", "规划计划目录未公开本年度工作计划。", "公开本年度工作计划。", 10, Severity.Normal),
        ("kjj", "主动公开", "政务公开-机构领导", "机构领导目录未公开领导分工、本年度领导活动相关信息。", "公开领导分工及本年度领导活动信息。", 10, Severity.Minor),
        ("kjj", "主动公开", "政务公开-财政资金", "未及时公开部门批复的单位预算、决算及报表，未公开本年度财政专项资金管理和使用情况。", "公开单位预算、决算及财政专项资金使用情况。", 15, Severity.Serious),
        ("zjj", "平台建设", "基层政务公开领域-保障性住房-配给管理", "配给管理栏目下多个子栏目更新少或更新不及时。", "及时更新配给管理、配后管理各子栏目。", 10, Severity.Normal),
        ("zjj", "主动公开", "政务公开-监督保障", "未公开政务公开工作部署、督查调度、工作考评、简报等信息。", "公开政务公开工作部署、督查调度、考评及简报。", 10, Severity.Normal),
        ("zjj", "主动公开", "政府信息公开指南", "政府信息公开指南中未体现互联网联系方式及信息处理费相关规定。", "修订公开指南，补充互联网联系方式与信息处理费规定。", 5, Severity.Minor),
        ("wjw", "主动公开", "政务公开-重点民生领域-疾病防控", "未公开9种重大疾病防控措施信息及国家免疫规划。", "公开重大疾病防控措施信息与国家免疫规划。", 10, Severity.Serious),
        ("wjw", "主动公开", "政务公开-重点民生领域-疾病应急救助", "未公开疾病应急救助资金使用情况及年度工作落实情况。", "公开疾病应急救助资金使用与工作落实情况。", 15, Severity.Normal),
        ("mtjd", "主动公开", "政务公开-本级政府文件", "未公开本年度本级政府制定的规范性文件。", "公开本年度制定的规范性文件。", 10, Severity.Normal),
        ("mtjd", "主动公开", "政务公开-机构职能", "未公开基层站所联系方式、负责人姓名。", "公开基层站所联系方式及负责人。", 5, Severity.Minor),
        ("mtjd", "信息审核", "政务公开-应急管理", "应急管理目录存在泄漏居民个人隐私情况。", "立即删除涉及个人隐私的信息，并建立发布前审核机制。", 3, Severity.Serious),
        ("ybj", "政务新媒体", "政务公众号", "尚未进行宣传或报送公众号关注情况较少。", "加大宣传力度，按时报送公众号关注情况。", 10, Severity.Minor),
    ];

    public static IReadOnlyList<DemoLogin> Logins { get; } =
    [
        new("Auditor", "auditor", Password, "审核员 政务公开办"),
        new("Supervisor", "supervisor", Password, "管理员 政务公开办"),
        .. Units.Select(u => new DemoLogin("UnitLiaison", u.Login, Password, $"{u.Name}联络人 {u.Liaison}")),
    ];

    /// <summary>Seeds the demo office when the database has no users yet; does nothing otherwise.</summary>
    public async Task SeedAsync(CancellationToken ct = default)
    {
        if (await db.Users.AnyAsync(ct))
            return;
        logger.LogInformation("Seeding demo data");

        var units = Units.Select((u, i) => new Unit
        {
            Name = u.Name,
            Aliases = u.Aliases,
            Kind = u.Kind,
            SortOrder = i + 1,
            Leader = new Contact { Name = u.Leader, Title = u.LeaderTitle, Phone = $"0553-58{i + 10:D2}001", Email = $"{u.Login}.leader@example.gov.cn" },
            Liaison = new Contact { Name = u.Liaison, Title = u.LiaisonTitle, Phone = $"139{i + 10:D2}5530{i % 10}{i % 7}", Email = $"{u.Login}@example.gov.cn" },
        }).ToList();
        db.AddRange(units);
        var categories = Categories.Select((c, i) => new Category { Name = c.Name, NameEn = c.NameEn, Description = c.Description, SortOrder = i + 1 }).ToList();
        db.AddRange(categories);
        db.AuditAs("demo.seeded");
        await db.SaveChangesAsync(ct);

        await CreateUserAsync("auditor", "张审核", "auditor@example.gov.cn", UserRole.Auditor, null);
        await CreateUserAsync("supervisor", "刘主管", "supervisor@example.gov.cn", UserRole.Supervisor, null);
        for (var i = 0; i < Units.Length; i++)
            await CreateUserAsync(Units[i].Login, Units[i].Liaison, units[i].Liaison.Email, UserRole.UnitLiaison, units[i].Id);

        var today = clock.Today;
        var inspection = new Inspection
        {
            Title = "2026年10月政务公开第三方检查",
            Kind = InspectionKind.ThirdPartyCheck,
            PeriodStart = new DateOnly(2026, 10, 1),
            PeriodEnd = new DateOnly(2026, 10, 31),
            Office = "区政务公开办",
            CreatedAt = clock.Now,
            CreatedById = "system",
        };
        db.Add(inspection);
        await db.SaveChangesAsync(ct);

        var byLogin = Units.Select((u, i) => (u.Login, Unit: units[i])).ToDictionary(x => x.Login, x => x.Unit);
        var demoFindings = Findings.Select(f => new Finding
        {
            InspectionId = inspection.Id,
            UnitId = byLogin[f.Unit].Id,
            CategoryId = categories.Single(c => c.Name == f.Category).Id,
            Location = f.Location,
            Description = f.Description,
            Requirement = f.Requirement,
            Severity = f.Severity,
            Deadline = calendar.Add(today, WorkingDays.After(f.Days)),
            CreatedAt = clock.Now,
            CreatedById = "system",
            UpdatedAt = clock.Now,
        }).ToList();
        db.AddRange(demoFindings);
        db.AuditAs("finding.created");
        await db.SaveChangesAsync(ct);

        // All but the last two are issued to their units; the two drafts are left for the auditor to issue.
        await findings.StartAsync(demoFindings[..^2], ct);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Demo data seeded: {Units} units, {Findings} findings", units.Count, demoFindings.Count);
    }

    private async Task CreateUserAsync(string userName, string displayName, string email, UserRole role, int? unitId)
    {
        var user = new AppUser
        {
            UserName = userName,
            DisplayName = displayName,
            Email = email,
            EmailConfirmed = true,
            Role = role,
            UnitId = unitId,
            LockoutEnabled = true,
        };
        db.AuditAs("user.created");
        var result = await users.CreateAsync(user, Password);
        if (!result.Succeeded)
            throw new InvalidOperationException($"Demo user {userName}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }
}
