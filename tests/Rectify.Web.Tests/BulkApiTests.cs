using System.Net;
using Microsoft.EntityFrameworkCore;
using Rectify.Findings;
using Rectify.Mail;
using Rectify.Notices.Spreadsheets;
using Xunit;

namespace Rectify.Web.Tests;

/// <summary>
/// /api/findings/bulk/* and /api/findings/export.xlsx over HTTP: one answer line per finding, each finding its own
/// transaction (a refused one does not stop the others), the filter's "all" selection and export agreeing with the list.
/// </summary>
public sealed class BulkApiTests(WebFixture app) : IClassFixture<WebFixture>
{
    [Fact]
    public async Task Bulk_accept_reports_per_finding_what_was_done_and_what_was_refused()
    {
        var submitted = await SubmitAsync("教育局");
        var assigned = await app.FindingOfAsync("科技局");
        var auditor = await app.As("auditor");

        var result = await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, "/api/findings/bulk/accept",
            new { ids = new[] { submitted, assigned } }), HttpStatusCode.OK);

        var rows = result.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal([submitted, assigned], rows.Select(r => r.GetProperty("findingId").GetInt32()));
        Assert.True(rows[0].GetProperty("done").GetBoolean());
        Assert.False(rows[1].GetProperty("done").GetBoolean());
        Assert.Equal("report.none_pending", rows[1].GetProperty("code").GetString());
        Assert.Equal("没有待审核的整改报告。", rows[1].GetProperty("message").GetString());
        Assert.Equal(1, result.GetProperty("doneCount").GetInt32());
        Assert.Equal(FindingStatus.Accepted, await StatusAsync(submitted));
        Assert.Equal(FindingStatus.Assigned, await StatusAsync(assigned));

        // A return without a comment is refused as a whole, before anything changes.
        var again = await SubmitAsync("住交局");
        await WebFixture.ProblemAsync(await WebFixture.PostJson(auditor, "/api/findings/bulk/return", new { ids = new[] { again } }),
            HttpStatusCode.BadRequest, "report.return_comment_required");
        Assert.Equal(FindingStatus.Submitted, await StatusAsync(again));
    }

    [Fact]
    public async Task Remind_now_mails_each_unit_once_and_refuses_a_second_reminder_the_same_day()
    {
        var unitId = await app.UnitIdAsync("卫健委");
        var ids = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.UnitId == unitId && f.Status == FindingStatus.Assigned)
            .OrderBy(f => f.Id).Select(f => f.Id).Take(2).ToListAsync());
        Assert.Equal(2, ids.Count);
        var auditor = await app.As("auditor");

        var first = await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, "/api/findings/bulk/remind", new { ids }), HttpStatusCode.OK);
        Assert.Equal(2, first.GetProperty("doneCount").GetInt32());
        var queued = await app.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.DeduplicationKey.StartsWith("remind-now:") && ids.Contains(m.FindingId!.Value))
            .Select(m => new { m.RecipientAddress, m.NextAttemptAt }).ToListAsync());
        // Two rows to one liaison at one instant: the sender's digest makes them one mail.
        Assert.Equal(2, queued.Count);
        Assert.Single(queued.Select(q => (q.RecipientAddress, q.NextAttemptAt)).Distinct());

        var second = await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, "/api/findings/bulk/remind", new { ids }), HttpStatusCode.OK);
        Assert.Equal(0, second.GetProperty("doneCount").GetInt32());
        Assert.All(second.GetProperty("rows").EnumerateArray(), r => Assert.Equal("finding.reminded_today", r.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task All_on_a_filter_and_the_export_take_exactly_the_rows_the_list_shows()
    {
        var unitId = await app.UnitIdAsync("马塘街道");
        var auditor = await app.As("auditor");
        var query = $"unitId={unitId}&status=Assigned";
        var list = await WebFixture.JsonAsync(await auditor.GetAsync($"/api/findings?{query}&pageSize=100"), HttpStatusCode.OK);
        var listed = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt32()).ToList();
        Assert.NotEmpty(listed);

        var export = await auditor.GetAsync($"/api/findings/export.xlsx?{query}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var sheet = Xlsx.ReadFirstSheet(new MemoryStream(await export.Content.ReadAsByteArrayAsync())).ToList();
        Assert.Equal(listed.Count, sheet.Count - 1);

        var deadline = new DateOnly(2026, 6, 30);
        var moved = await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, $"/api/findings/bulk/deadline?{query}",
            new { all = true, deadline, reason = "统一延至半年末" }), HttpStatusCode.OK);
        Assert.Equal(listed.Order(), moved.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("findingId").GetInt32()).Order());
        Assert.Equal(listed.Count, moved.GetProperty("doneCount").GetInt32());
        var deadlines = await app.WithDbAsync(db => db.Set<Finding>().Where(f => listed.Contains(f.Id)).Select(f => f.Deadline).Distinct().ToListAsync());
        Assert.Equal([deadline], deadlines);
        // Moved through the deadline rule: each unit hears of it.
        Assert.Equal(listed.Count, await app.WithDbAsync(db => db.Set<OutboxMessage>()
            .CountAsync(m => m.Template == FindingDeadline.MailTemplate && listed.Contains(m.FindingId!.Value))));
    }

    private async Task<int> SubmitAsync(string unitName)
    {
        var id = await app.FindingOfAsync(unitName);
        var liaison = await app.ClientAsync(unitName switch { "教育局" => "jyj", "住交局" => "zjj", _ => throw new ArgumentException(unitName) });
        using var form = new MultipartFormDataContent { { new StringContent("已整改。"), "measures" } };
        await WebFixture.JsonAsync(await liaison.PostAsync($"/api/findings/{id}/reports", form), HttpStatusCode.Created);
        return id;
    }

    private Task<FindingStatus> StatusAsync(int id) => app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.Status).SingleAsync());
}
