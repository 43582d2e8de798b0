using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rectify.Findings;

namespace Rectify.Web.Tests.Findings;

/// <summary>
/// The finding's own rule refusing a transition answers with the same code through the API and the page: a report
/// accepted by one auditor cannot be accepted again from another's open page.
/// </summary>
public sealed partial class FindingGuardWebTests(WebFixture app) : IClassFixture<WebFixture>
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [Fact]
    public async Task Accepting_a_report_no_longer_submitted_is_refused_with_the_finding_s_code_by_the_api_and_the_page()
    {
        var id = await app.FindingOfAsync("教育局");
        var liaison = await app.As("jyj");
        await RectifyWebFactory.AddAntiforgeryAsync(liaison);
        var report = await WebFixture.JsonAsync(await liaison.PostAsync($"/api/findings/{id}/reports",
            new MultipartFormDataContent { { new StringContent("已在招生计划栏目发布2026年招生计划"), "measures" }, { new StringContent("true"), "isFullyRectified" } }),
            HttpStatusCode.Created);
        var reportId = report.GetProperty("id").GetInt32();
        var auditor = await app.As("auditor");
        await RectifyWebFactory.AddAntiforgeryAsync(auditor);
        // The auditor's page, opened while the report awaited review.
        var token = Token().Match(await auditor.GetStringAsync($"/findings/{id}")).Groups[1].Value;
        var review = $"/api/findings/{id}/reports/{reportId}/review";
        await WebFixture.JsonAsync(await WebFixture.PostJson(auditor, review, new { accept = true, comment = "整改到位" }), HttpStatusCode.OK);

        await WebFixture.ProblemAsync(await WebFixture.PostJson(auditor, review, new { accept = true, comment = "再次通过" }), HttpStatusCode.Conflict, "finding.illegal_transition");

        var page = await auditor.PostAsync($"/findings/{id}?handler=Review", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["reportId"] = reportId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["accept"] = "true", ["Comment"] = "再次通过",
        }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.StatusCode);
        // Shown where the review form was, now that the report is decided.
        Assert.Contains("<div class=\"error\" role=\"alert\">当前状态为“已整改”，不能执行该操作。</div>", WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()));
        var history = await app.WithDbAsync(db => db.Set<Rectify.Auditing.AuditEvent>().Where(a => a.FindingId == id && a.Action == "finding.accepted").CountAsync());
        Assert.Equal(2, history);
        Assert.Equal(FindingStatus.Accepted, await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == id).Select(f => f.Status).SingleAsync()));
    }
}
