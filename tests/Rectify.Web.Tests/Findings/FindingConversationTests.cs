using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Mail.Outbox;
using Rectify.Testing;
using Rectify.Workflows;
using Xunit;

namespace Rectify.Web.Tests.Findings;

/// <summary>The app sending its mail to a MailDev on loopback (digests on, as in production), with signed-in clients per user.</summary>
public sealed class ConversationApp : RectifyWebFactory, IAsyncLifetime
{
    private readonly Dictionary<string, HttpClient> _clients = [];
    public MailDevServer Smtp { get; private set; } = null!;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Mail:Smtp:Host"] = "127.0.0.1",
        ["Mail:Smtp:Port"] = Smtp.SmtpPort.ToString(CultureInfo.InvariantCulture),
        ["Mail:Smtp:Security"] = "None",
    };

    public async Task<HttpClient> As(string user)
    {
        if (!_clients.TryGetValue(user, out var client))
            _clients[user] = client = await ClientAsync(user);
        return client;
    }

    public Task<int> FindingOfAsync(string unitName) => WithDbAsync(db =>
        db.Set<Finding>().Where(f => f.Unit!.Name == unitName && f.Status == FindingStatus.Assigned).OrderBy(f => f.Id).Select(f => f.Id).FirstAsync());

    public Task<List<string>> BookmarksAsync(int findingId) => WithDbAsync(db =>
        db.Set<WorkflowBookmark>().Where(b => b.FindingId == findingId).Select(b => b.Name).OrderBy(n => n).ToListAsync());

    // Before the host is built (on first use), which reads the SMTP port.
    public async Task InitializeAsync() => Smtp = await MailDevServer.StartNewAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        foreach (var client in _clients.Values)
            client.Dispose();
        await DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>
/// Items 2–4 of issue 17 through the API: the comment thread and its digested mail (MailDev, fake clock), an extension
/// granted at another date than requested, a report withdrawn before review (the workflow waits for a report again,
/// and the resubmission carries the kept evidence), and evidence shown inline only for images and PDF, sandboxed.
/// </summary>
public sealed class FindingConversationTests(ConversationApp app) : IClassFixture<ConversationApp>
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF\n");

    private static MultipartFormDataContent Report(string measures, IEnumerable<Guid>? keep = null, params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent { { new StringContent(measures), "measures" }, { new StringContent("true"), "isFullyRectified" } };
        foreach (var id in keep ?? [])
            form.Add(new StringContent(id.ToString()), "keepEvidence");
        foreach (var (name, bytes) in files)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "files", name);
        }
        return form;
    }

    [Fact]
    public async Task Comments_go_to_the_other_side_as_one_digest_at_the_next_half_hour()
    {
        var id = await app.FindingOfAsync("科技局");
        var sender = app.Services.GetRequiredService<MailSender>();
        // What the demo queued when it issued its findings goes out first.
        await sender.SendDueAsync();
        await app.Smtp.DeleteAllAsync();
        var start = app.Clock.GetUtcNow();
        var url = $"/api/findings/{id}/comments";

        var liaison = await app.As("kjj");
        foreach (var (minutes, text) in new[] { (1, "第一条：栏目已改版"), (5, "第二条：链接稍后补充"), (20, "第三条：请审核人员确认") })
        {
            app.Clock.SetUtcNow(start.AddMinutes(minutes));
            var created = await WebFixture.JsonAsync(await WebFixture.PostJson(liaison, url, new { body = text }), HttpStatusCode.Created);
            Assert.True(created.GetProperty("fromUnit").GetBoolean());
        }
        app.Clock.SetUtcNow(start.AddMinutes(21));
        var auditor = await app.As("auditor");
        await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, url, new { body = "收到，请补充整改后截图。" }), HttpStatusCode.Created);

        // Nobody else takes part, and an empty comment is refused.
        await WebFixture.ProblemAsync(await WebFixture.PostJson(await app.As("supervisor"), url, new { body = "主管意见" }), HttpStatusCode.Forbidden, "comment.forbidden");
        await WebFixture.ProblemAsync(await WebFixture.PostJson(await app.As("jyj"), url, new { body = "别的单位" }), HttpStatusCode.NotFound, "finding.not_found");
        await WebFixture.ProblemAsync(await WebFixture.PostJson(liaison, url, new { body = "  " }), HttpStatusCode.BadRequest, "comment.body_required");
        var bare = await app.ClientAsync("kjj", antiforgery: false);
        Assert.Equal(HttpStatusCode.BadRequest, (await WebFixture.PostJson(bare, url, new { body = "无令牌" })).StatusCode);

        // Held until the next half hour (09:30 in Shanghai): nothing goes out before it.
        await sender.SendDueAsync();
        Assert.Empty(await app.Smtp.GetMessagesAsync());

        app.Clock.SetUtcNow(start.AddMinutes(30));
        await sender.SendDueAsync();
        var mails = await app.Smtp.GetMessagesAsync();
        Assert.Equal(2, mails.Count);
        var toAuditor = Assert.Single(mails, m => m.To.Single().Address == "auditor@example.gov.cn");
        foreach (var text in new[] { "第一条：栏目已改版", "第二条：链接稍后补充", "第三条：请审核人员确认" })
            Assert.Contains(text, toAuditor.Text);
        var toUnit = Assert.Single(mails, m => m.To.Single().Address == "kjj@example.gov.cn");
        Assert.Contains("收到，请补充整改后截图。", toUnit.Text);
        Assert.DoesNotContain("第一条", toUnit.Text);
        Assert.Contains($"/findings/{id}#comments", toUnit.Text);

        // The thread, oldest first, for both sides and the supervisor; and in the finding's history.
        foreach (var user in new[] { "kjj", "auditor", "supervisor" })
        {
            var thread = await WebFixture.JsonAsync(await (await app.As(user)).GetAsync(url), HttpStatusCode.OK);
            Assert.Equal(["第一条：栏目已改版", "第二条：链接稍后补充", "第三条：请审核人员确认", "收到，请补充整改后截图。"],
                thread.EnumerateArray().Select(c => c.GetProperty("body").GetString()));
        }
        var history = await WebFixture.JsonAsync(await auditor.GetAsync($"/api/findings/{id}/history"), HttpStatusCode.OK);
        Assert.Equal(4, history.EnumerateArray().Count(h => h.GetProperty("action").GetString() == "comment.added"));
    }

    [Fact]
    public async Task An_extension_is_granted_at_another_date_only_with_a_reason_and_moves_the_deadline_there()
    {
        var id = await app.FindingOfAsync("住交局");
        var deadline = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.Deadline).SingleAsync());
        var requested = deadline.AddDays(14);
        var granted = deadline.AddDays(7);
        var request = await WebFixture.JsonAsync(await WebFixture.PostJson(await app.As("zjj"), $"/api/findings/{id}/extensions",
            new { newDeadline = requested, reason = "需协调第三方平台改版" }), HttpStatusCode.OK);
        var decision = $"/api/findings/{id}/extensions/{request.GetProperty("id").GetInt32()}/decision";
        var auditor = await app.As("auditor");

        await WebFixture.ProblemAsync(await WebFixture.PostJson(auditor, decision, new { approve = true, grantedDeadline = granted }),
            HttpStatusCode.BadRequest, "extension.grant_reason_required");
        await WebFixture.ProblemAsync(await WebFixture.PostJson(auditor, decision, new { approve = true, comment = "太早", grantedDeadline = deadline }),
            HttpStatusCode.BadRequest, "extension.grant_not_later");
        Assert.Equal(HttpStatusCode.Forbidden, (await WebFixture.PostJson(await app.As("zjj"), decision, new { approve = true, grantedDeadline = granted })).StatusCode);
        Assert.Equal(deadline, await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.Deadline).SingleAsync()));

        var decided = await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, decision,
            new { approve = true, comment = "改版工作量不大，给一周", grantedDeadline = granted }), HttpStatusCode.OK);
        Assert.Equal(("Approved", granted.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), requested.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            (decided.GetProperty("decision").GetString(), decided.GetProperty("grantedDeadline").GetString(), decided.GetProperty("requestedDeadline").GetString()));
        var finding = await app.WithDbAsync(db => db.Set<Finding>().SingleAsync(f => f.Id == id));
        Assert.Equal(granted, finding.Deadline);
        Assert.Contains("改版工作量不大，给一周", finding.DeadlineReason);
        // The unit is told the new date in one mail: the workflow's extension-decided, carrying the rule's previous date.
        var told = await app.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.FindingId == id && (m.Template == "deadline-changed" || m.Template == "extension-decided")).ToListAsync());
        Assert.Equal("extension-decided", Assert.Single(told).Template);
        Assert.Contains($"\"previous_deadline\":\"{deadline.Year}年{deadline.Month}月{deadline.Day}日\"", told[0].ModelJson);
    }

    [Fact]
    public async Task A_withdrawn_report_puts_the_workflow_back_to_waiting_and_its_evidence_can_be_kept()
    {
        var id = await app.FindingOfAsync("卫健委");
        var liaison = await app.As("wjw");
        var first = await WebFixture.JsonAsync(await liaison.PostAsync($"/api/findings/{id}/reports", Report("第一次提交", null, ("截图.png", Png), ("说明.pdf", Pdf))), HttpStatusCode.Created);
        var reportId = first.GetProperty("id").GetInt32();
        Assert.Contains(nameof(Rectify.Findings.ReportWithdrawn), await app.BookmarksAsync(id));
        var withdraw = $"/api/findings/{id}/reports/{reportId}/withdraw";

        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.As("auditor")).PostAsync(withdraw, null)).StatusCode);
        await WebFixture.ProblemAsync(await (await app.As("kjj")).PostAsync(withdraw, null), HttpStatusCode.NotFound, "finding.not_found");
        var withdrawn = await WebFixture.JsonAsync(await liaison.PostAsync(withdraw, null), HttpStatusCode.OK);
        Assert.Equal("Withdrawn", withdrawn.GetProperty("decision").GetString());
        Assert.Equal(FindingStatus.Assigned, await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.Status).SingleAsync()));
        // The workflow waits for a report again (and no longer for a review).
        var waiting = await app.BookmarksAsync(id);
        Assert.Contains(nameof(Rectify.Findings.ReportSubmitted), waiting);
        Assert.DoesNotContain(nameof(Rectify.Findings.ReportReviewed), waiting);
        await WebFixture.ProblemAsync(await liaison.PostAsync(withdraw, null), HttpStatusCode.Conflict, "report.withdraw_not_pending");

        // The resubmission keeps the screenshot, leaves the PDF out, and the review is awaited again.
        var screenshot = first.GetProperty("evidence").EnumerateArray().First(e => e.GetProperty("fileName").GetString() == "截图.png").GetProperty("id").GetGuid();
        var second = await WebFixture.JsonAsync(await liaison.PostAsync($"/api/findings/{id}/reports", Report("第二次提交", [screenshot])), HttpStatusCode.Created);
        var kept = Assert.Single(second.GetProperty("evidence").EnumerateArray());
        Assert.Equal("截图.png", kept.GetProperty("fileName").GetString());
        using (var bytes = await liaison.GetAsync(kept.GetProperty("downloadUrl").GetString()))
            Assert.Equal(Png, await bytes.Content.ReadAsByteArrayAsync());
        Assert.Contains(nameof(Rectify.Findings.ReportReviewed), await app.BookmarksAsync(id));
        // Only evidence of this finding's returned or withdrawn reports can be carried over.
        var other = await app.FindingOfAsync("马塘街道");
        await WebFixture.ProblemAsync(await (await app.As("mtjd")).PostAsync($"/api/findings/{other}/reports", Report("借用别人的材料", [screenshot])),
            HttpStatusCode.BadRequest, "evidence.keep_unknown");
    }

    [Fact]
    public async Task Evidence_is_shown_inline_only_for_images_and_pdf_sandboxed_and_only_to_those_allowed()
    {
        var id = await app.FindingOfAsync("教育局");
        var docx = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(docx, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            zip.CreateEntry("word/document.xml");
        var report = await WebFixture.JsonAsync(await (await app.As("jyj")).PostAsync($"/api/findings/{id}/reports",
            Report("附截图、说明和报告", null, ("截图.png", Png), ("说明.pdf", Pdf), ("报告.docx", docx.ToArray()))), HttpStatusCode.Created);
        var evidence = report.GetProperty("evidence").EnumerateArray().ToDictionary(e => e.GetProperty("fileName").GetString()!, e => e.GetProperty("id").GetGuid());

        foreach (var (name, type) in new[] { ("截图.png", "image/png"), ("说明.pdf", "application/pdf") })
        {
            using var view = await (await app.As("auditor")).GetAsync($"/api/evidence/{evidence[name]}/view");
            Assert.Equal(HttpStatusCode.OK, view.StatusCode);
            Assert.Equal(type, view.Content.Headers.ContentType?.MediaType);
            Assert.Equal("inline", view.Content.Headers.ContentDisposition?.DispositionType);
            Assert.StartsWith("sandbox;", view.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", view.Headers.GetValues("X-Content-Type-Options").Single());
        }
        using (var office = await (await app.As("jyj")).GetAsync($"/api/evidence/{evidence["报告.docx"]}/view"))
        {
            Assert.Equal("attachment", office.Content.Headers.ContentDisposition?.DispositionType);
            Assert.StartsWith("sandbox;", office.Headers.GetValues("Content-Security-Policy").Single());
        }
        await WebFixture.ProblemAsync(await (await app.As("kjj")).GetAsync($"/api/evidence/{evidence["截图.png"]}/view"), HttpStatusCode.NotFound, "evidence.not_found");
        Assert.Equal(HttpStatusCode.Unauthorized, (await (await app.ClientAsync()).GetAsync($"/api/evidence/{evidence["截图.png"]}/view")).StatusCode);
    }
}
