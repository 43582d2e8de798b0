using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rectify.Auditing;
using Rectify.Findings;
using Rectify.Notices.Spreadsheets;
using Rectify.Reports;

namespace Rectify.Web.Tests;

/// <summary>A report with evidence through the API: upload limits, review, authorized download, and the audit trail.</summary>
public sealed class ReportFlowTests(WebFixture app) : IClassFixture<WebFixture>
{
    internal static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

    private static byte[] Zip(string entry)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry(entry).Open());
            writer.Write("<xml/>");
        }
        return buffer.ToArray();
    }

    private static MultipartFormDataContent Form(string measures, params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(measures), "measures" },
            { new StringContent("true"), "isFullyRectified" },
            { new StringContent("https://www.example.gov.cn/jyj/zsjh/2026.html"), "links" },
        };
        foreach (var (name, bytes) in files)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "files", name);
        }
        return form;
    }

    private async Task<HttpResponseMessage> SubmitAsync(string user, int findingId, MultipartFormDataContent form)
    {
        var client = await app.As(user);
        await RectifyWebFactory.AddAntiforgeryAsync(client);
        return await client.PostAsync($"/api/findings/{findingId}/reports", form);
    }

    private int EvidenceFilesOnDisk() =>
        Directory.Exists(Path.Combine(app.DataDirectory, "evidence"))
            ? Directory.GetFiles(Path.Combine(app.DataDirectory, "evidence"), "*", SearchOption.AllDirectories).Length
            : 0;

    [Fact]
    public async Task Liaison_submits_with_files_auditor_accepts_and_only_the_allowed_can_download()
    {
        var id = await app.FindingOfAsync("教育局");
        var docx = Zip("word/document.xml");
        var submitted = await WebFixture.JsonAsync(await SubmitAsync("jyj", id,
            Form("已在招生计划栏目发布《2026年义务教育招生计划》", ("招生计划截图.png", Png), ("整改说明.pdf", Pdf), ("整改报告.docx", docx))), HttpStatusCode.Created);
        var reportId = submitted.GetProperty("id").GetInt32();
        var evidence = submitted.GetProperty("evidence").EnumerateArray().ToList();
        Assert.Equal(["招生计划截图.png", "整改说明.pdf", "整改报告.docx"], evidence.Select(e => e.GetProperty("fileName").GetString()));
        Assert.Equal(["https://www.example.gov.cn/jyj/zsjh/2026.html"], submitted.GetProperty("links").EnumerateArray().Select(l => l.GetString()));

        // The bytes are outside the web root, under data/evidence, and only reachable through the endpoint.
        Assert.Equal(3, EvidenceFilesOnDisk());
        var pdfUrl = evidence[1].GetProperty("downloadUrl").GetString()!;
        foreach (var user in new[] { "jyj", "auditor", "supervisor" })
        {
            using var download = await (await app.As(user)).GetAsync(pdfUrl);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
            Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        }
        await WebFixture.ProblemAsync(await (await app.As("kjj")).GetAsync(pdfUrl), HttpStatusCode.NotFound, "evidence.not_found");
        Assert.Equal(HttpStatusCode.Unauthorized, (await (await app.As("anonymous")).GetAsync(pdfUrl)).StatusCode);

        // A second report while one awaits review is refused as a conflict.
        await WebFixture.ProblemAsync(await SubmitAsync("jyj", id, Form("再次提交")), HttpStatusCode.Conflict, "finding.illegal_transition");

        var accepted = await WebFixture.JsonAsync(await WebFixture.PostJson(await app.As("auditor"),
            $"/api/findings/{id}/reports/{reportId}/review", new { accept = true, comment = "整改到位" }), HttpStatusCode.OK);
        Assert.Equal("Accepted", accepted.GetProperty("decision").GetString());

        var detail = await WebFixture.JsonAsync(await (await app.As("jyj")).GetAsync($"/api/findings/{id}"), HttpStatusCode.OK);
        Assert.Equal("Accepted", detail.GetProperty("status").GetString());
        var actions = detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("action").GetString()).ToList();
        Assert.Contains("finding.submitted", actions);
        Assert.Contains("finding.accepted", actions);
        var history = await app.WithDbAsync(db => db.Set<AuditEvent>().Where(a => a.FindingId == id).ToListAsync());
        Assert.True(history.Any(a => a.Action == "finding.submitted" && a.EntityType == nameof(EvidenceFile) && a.ActorName == "李晓燕"),
            string.Join("\n", history.Select(a => $"{a.Action} {a.EntityType} {a.ActorName}")));
        Assert.Contains(history, a => a.Action == "finding.accepted" && a.EntityType == nameof(Finding) && a.ActorName == "张审核"
            && a.Before!.Contains("\"Status\":\"Submitted\"") && a.After!.Contains("\"Status\":\"Accepted\""));
    }

    [Fact]
    public async Task Upload_limits_refuse_and_leave_nothing_behind()
    {
        var id = await app.FindingOfAsync("住交局");
        var before = EvidenceFilesOnDisk();
        var tooLarge = new byte[WebFixture.MaxFileBytes + 1];
        Pdf.CopyTo(tooLarge, 0);
        await WebFixture.ProblemAsync(await SubmitAsync("zjj", id, Form("措施", ("ok.pdf", Pdf), ("大文件.pdf", tooLarge))), HttpStatusCode.BadRequest, "evidence.too_large");
        await WebFixture.ProblemAsync(await SubmitAsync("zjj", id, Form("措施", ("setup.exe", Pdf))), HttpStatusCode.BadRequest, "evidence.type_not_allowed");
        await WebFixture.ProblemAsync(await SubmitAsync("zjj", id, Form("措施", ("no-extension", Pdf))), HttpStatusCode.BadRequest, "evidence.type_not_allowed");
        // The extension says PDF or Word, the bytes say otherwise.
        await WebFixture.ProblemAsync(await SubmitAsync("zjj", id, Form("措施", ("截图.pdf", Png))), HttpStatusCode.BadRequest, "evidence.content_mismatch");
        await WebFixture.ProblemAsync(await SubmitAsync("zjj", id, Form("措施", ("报告.docx", Zip("other.txt")))), HttpStatusCode.BadRequest, "evidence.content_mismatch");
        await WebFixture.ProblemAsync(await SubmitAsync("zjj", id, Form("措施", ("表格.xlsx", Pdf))), HttpStatusCode.BadRequest, "evidence.content_mismatch");
        await WebFixture.ProblemAsync(await SubmitAsync("zjj", id, Form("措施", Enumerable.Range(0, 11).Select(i => ($"{i}.pdf", Pdf)).ToArray())), HttpStatusCode.BadRequest, "evidence.too_many");
        // Valid files, but the report itself is refused: the stored files are removed again.
        await WebFixture.ProblemAsync(await SubmitAsync("zjj", id, Form(" ", ("ok.pdf", Pdf))), HttpStatusCode.BadRequest, "report.measures_required");
        await WebFixture.ProblemAsync(await SubmitAsync("zjj", id, new MultipartFormDataContent { { new StringContent("措施"), "measures" }, { new StringContent("javascript:alert(1)"), "links" } }),
            HttpStatusCode.BadRequest, "report.link_invalid");

        Assert.Equal(before, EvidenceFilesOnDisk());
        var finding = await app.WithDbAsync(db => db.Set<Finding>().Include(f => f.Reports).SingleAsync(f => f.Id == id));
        Assert.Equal(FindingStatus.Assigned, finding.Status);
        Assert.Empty(finding.Reports);

        // Another unit's liaison cannot submit at all (404), and without the antiforgery token the post is refused.
        await WebFixture.ProblemAsync(await SubmitAsync("kjj", id, Form("措施", ("ok.pdf", Pdf))), HttpStatusCode.NotFound, "finding.not_found");
        var bare = await app.ClientAsync("zjj", antiforgery: false);
        Assert.Equal(HttpStatusCode.BadRequest, (await bare.PostAsync($"/api/findings/{id}/reports", Form("措施", ("ok.pdf", Pdf)))).StatusCode);
        Assert.Equal(before, EvidenceFilesOnDisk());
    }

    [Fact]
    public async Task Return_then_extension_request_and_decision_through_the_api()
    {
        var id = await app.FindingOfAsync("卫健委");
        var report = await WebFixture.JsonAsync(await SubmitAsync("wjw", id, Form("已公开9种重大疾病防控措施")), HttpStatusCode.Created);
        var auditor = await app.As("auditor");
        await WebFixture.ProblemAsync(await WebFixture.PostJson(auditor, $"/api/findings/{id}/reports/{report.GetProperty("id").GetInt32()}/review", new { accept = false }),
            HttpStatusCode.BadRequest, "report.return_comment_required");
        var returned = await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, $"/api/findings/{id}/reports/{report.GetProperty("id").GetInt32()}/review",
            new { accept = false, comment = "未公开国家免疫规划" }), HttpStatusCode.OK);
        Assert.Equal("Returned", returned.GetProperty("decision").GetString());

        var wjw = await app.As("wjw");
        var request = await WebFixture.JsonAsync(await WebFixture.PostJson(wjw, $"/api/findings/{id}/extensions", new { newDeadline = "2026-04-30", reason = "需协调疾控中心提供数据" }), HttpStatusCode.OK);
        await WebFixture.ProblemAsync(await WebFixture.PostJson(wjw, $"/api/findings/{id}/extensions", new { newDeadline = "2026-05-30", reason = "再次申请" }), HttpStatusCode.Conflict, "extension.already_pending");
        await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, $"/api/findings/{id}/extensions/{request.GetProperty("id").GetInt32()}/decision", new { approve = true, comment = "同意" }), HttpStatusCode.OK);
        var detail = await WebFixture.JsonAsync(await wjw.GetAsync($"/api/findings/{id}"), HttpStatusCode.OK);
        Assert.Equal("2026-04-30", detail.GetProperty("deadline").GetString());
        // 退回 stays until the unit resubmits.
        Assert.Equal("Returned", detail.GetProperty("status").GetString());
        // Working days from Mon 03-02 to Thu 04-30 (59 calendar days; 清明 and the weekends do not count).
        Assert.Equal(42, detail.GetProperty("daysLeft").GetInt32());
    }

    [Fact]
    public async Task Return_refuses_an_earlier_deadline_and_moving_a_deadline_needs_a_reason_and_no_past_date()
    {
        var id = await app.FindingOfAsync("科技局");
        var reportId = (await WebFixture.JsonAsync(await SubmitAsync("kjj", id, Form("已更新栏目")), HttpStatusCode.Created)).GetProperty("id").GetInt32();
        var auditor = await app.As("auditor");
        await RectifyWebFactory.AddAntiforgeryAsync(auditor);
        var review = $"/api/findings/{id}/reports/{reportId}/review";
        await WebFixture.ProblemAsync(await WebFixture.PostJson(auditor, review, new { accept = false, comment = "请补充佐证", returnDeadline = "2026-03-03" }),
            HttpStatusCode.BadRequest, "finding.return_deadline_too_early");
        await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, review, new { accept = false, comment = "请补充佐证" }), HttpStatusCode.OK);

        var finding = await WebFixture.JsonAsync(await auditor.GetAsync($"/api/findings/{id}"), HttpStatusCode.OK);
        Assert.Equal("Returned", finding.GetProperty("status").GetString());
        var deadline = DateOnly.Parse(finding.GetProperty("deadline").GetString()!, CultureInfo.InvariantCulture);
        object Edit(DateOnly to, string? reason) => new
        {
            inspectionId = finding.GetProperty("inspectionId").GetInt32(), unitId = finding.GetProperty("unitId").GetInt32(),
            categoryId = finding.GetProperty("categoryId").GetInt32(), location = finding.GetProperty("location").GetString(),
            description = finding.GetProperty("description").GetString(), requirement = finding.GetProperty("requirement").GetString(),
            severity = finding.GetProperty("severity").GetString(), deadline = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), deadlineReason = reason,
        };
        await WebFixture.ProblemAsync(await auditor.PutAsJsonAsync($"/api/findings/{id}", Edit(deadline.AddDays(7), null)), HttpStatusCode.BadRequest, "finding.deadline_reason_required");
        await WebFixture.ProblemAsync(await auditor.PutAsJsonAsync($"/api/findings/{id}", Edit(new DateOnly(2026, 1, 5), "提前")), HttpStatusCode.BadRequest, "finding.deadline_past");
        var moved = await WebFixture.JsonAsync(await auditor.PutAsJsonAsync($"/api/findings/{id}", Edit(deadline.AddDays(7), "材料需上级审定")), HttpStatusCode.OK);
        Assert.Equal(deadline.AddDays(7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), moved.GetProperty("deadline").GetString());
        // The auditor sees the step; the raw change (field names, codes) goes to supervisors only, as on the page.
        Assert.Contains(moved.GetProperty("history").EnumerateArray(), h => h.GetProperty("action").GetString() == "finding.deadline_changed"
            && h.GetProperty("after").ValueKind == JsonValueKind.Null);
        var supervisorView = await WebFixture.JsonAsync(await (await app.As("supervisor")).GetAsync($"/api/findings/{id}/history"), HttpStatusCode.OK);
        Assert.Contains(supervisorView.EnumerateArray(), h => h.GetProperty("action").GetString() == "finding.deadline_changed"
            && h.GetProperty("after").GetString()!.Contains("材料需上级审定"));
    }

    [Fact]
    public async Task Returned_shows_on_the_dashboard_tile_the_ledger_and_its_filter_and_the_xlsx_until_resubmitted()
    {
        var id = await app.FindingOfAsync("马塘街道");
        var reportId = (await WebFixture.JsonAsync(await SubmitAsync("mtjd", id, Form("已删除隐私信息", ("ok.pdf", Pdf))), HttpStatusCode.Created)).GetProperty("id").GetInt32();
        var auditor = await app.As("auditor");
        await RectifyWebFactory.AddAntiforgeryAsync(auditor);
        await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, $"/api/findings/{id}/reports/{reportId}/review", new { accept = false, comment = "仍可检索到身份证号" }), HttpStatusCode.OK);

        async Task<string> PageAsync(HttpClient client, string url) => WebUtility.HtmlDecode(await client.GetStringAsync(url));
        // The 状态 of this finding's rows (by 问题编号) in the ledger exported with the 退回 filter.
        async Task<List<string>> ExportedStatusesAsync()
        {
            var rows = Xlsx.ReadFirstSheet(new MemoryStream(await auditor.GetByteArrayAsync("/api/findings/export.xlsx?status=Returned"))).ToList();
            int Column(string header) => rows[0].Cells.Single(c => c.Value.Text == header).Key;
            var (number, status) = (Column("问题编号"), Column("状态"));
            return rows.Skip(1).Where(r => r.Cells[number].Text == id.ToString(CultureInfo.InvariantCulture)).Select(r => r.Cells[status].Text).ToList();
        }
        var returned = (await WebFixture.JsonAsync(await auditor.GetAsync("/api/findings?status=Returned&pageSize=100"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt32()).ToList();
        Assert.Contains(id, returned);

        // The dashboard's 退回 tile counts it, the ledger's 退回 filter lists it with its badge, the .xlsx says 退回.
        var dashboard = await PageAsync(auditor, "/dashboard");
        Assert.Matches($"""<div class="label">退回</div>\s*<div class="value" data-status="Returned">{returned.Count}</div>""", dashboard);
        var ledger = await PageAsync(auditor, "/findings?status=Returned");
        Assert.Matches($"""href="/findings/{id}"[\s\S]*?<span class="badge st-Returned[^"]*">退回</span>""", ledger);
        Assert.Equal(["退回"], await ExportedStatusesAsync());
        var liaison = await app.As("mtjd");
        Assert.Contains($"href=\"/findings/{id}\"", await PageAsync(liaison, "/my?status=Returned"));

        // 退回 until the unit resubmits, then no longer.
        await WebFixture.JsonAsync(await SubmitAsync("mtjd", id, Form("已删除隐私信息并复查", ("ok.pdf", Pdf))), HttpStatusCode.Created);
        Assert.DoesNotContain($"href=\"/findings/{id}\"", await PageAsync(auditor, "/findings?status=Returned"));
        Assert.Empty(await ExportedStatusesAsync());
    }
}
