using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rectify.Findings;

namespace Rectify.Web.Tests;

/// <summary>Over /api: issuing a draft whose data changed since its preview answers 409 with the differences; recomposing lets it through.</summary>
public sealed class NoticePreviewApiTests(RectifyWebFactory app) : IClassFixture<RectifyWebFactory>
{
    [Fact]
    public async Task Issuing_after_a_change_answers_409_with_the_differences_and_succeeds_after_recompose()
    {
        var auditor = await app.ClientAsync("auditor");
        var (id, inspectionId) = await DraftAsync(app, auditor, "X政公办〔2026〕40号");

        var removed = await app.WithDbAsync(async db =>
        {
            var finding = await db.Set<Finding>().OrderByDescending(f => f.Id).FirstAsync(f => f.InspectionId == inspectionId && f.Status == FindingStatus.Draft);
            db.Remove(finding);
            await db.SaveChangesAsync();
            return finding.Description;
        });
        var refused = await auditor.PostAsync($"/api/notices/{id}/issue", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("notice.changed_since_preview", problem.GetProperty("code").GetString());
        var details = problem.GetProperty("details").EnumerateArray().Select(d => d.GetString()!).ToList();
        Assert.Contains(details, d => d.StartsWith("本期问题不再列入", StringComparison.Ordinal) && d.Contains(removed.TrimEnd('。', '；')));

        Assert.Equal(HttpStatusCode.OK, (await auditor.PostAsync($"/api/notices/{id}/recompose", null)).StatusCode);
        var issued = await auditor.PostAsync($"/api/notices/{id}/issue", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
    }

    /// <summary>A draft notice of the first inspection that still has unpublished findings, created over /api.</summary>
    internal static async Task<(int Id, int InspectionId)> DraftAsync(RectifyWebFactory app, HttpClient auditor, string number)
    {
        var inspectionId = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Status == FindingStatus.Draft).Select(f => f.InspectionId).FirstAsync());
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var created = await auditor.PostAsJsonAsync("/api/notices", new
        {
            title = "关于2026年2月政务公开工作检查情况的通报", number, office = "区政务公开办", addressees = "区政府各部门",
            date = today, periodStart = new DateOnly(2026, 2, 1), periodEnd = new DateOnly(2026, 2, 28), inspectionIds = new[] { inspectionId },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return ((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32(), inspectionId);
    }
}
