using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Rectify.Findings;
using Xunit;

namespace Rectify.Web.Tests.Browser;

/// <summary>The finding refusing a review on the page: another auditor accepted the report after this page was opened.</summary>
public sealed class ReviewRefusedBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task A_report_accepted_meanwhile_cannot_be_accepted_again_and_the_page_says_why()
    {
        var id = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Unit!.Name == "科技局" && f.Status == FindingStatus.Assigned)
            .OrderBy(f => f.Id).Select(f => f.Id).FirstAsync());
        using var liaison = await app.ClientAsync("kjj");
        var submitted = await liaison.PostAsync($"/api/findings/{id}/reports",
            new MultipartFormDataContent { { new StringContent("已在科技项目栏目补充公开2026年度立项清单"), "measures" }, { new StringContent("true"), "isFullyRectified" } });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var reportId = (await submitted.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt32();

        var page = await app.NewPageAsync();
        await PagesBrowserTests.SignInAsync(page, "auditor");
        await page.GotoAsync($"/findings/{id}");
        await page.FillAsync("#Comment", "整改到位");
        // Meanwhile another auditor accepts it.
        using var other = await app.ClientAsync("auditor");
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsJsonAsync($"/api/findings/{id}/reports/{reportId}/review", new { accept = true, comment = "已核实" }, RectifyWebFactory.Json)).StatusCode);

        await page.Locator("#review-form button[name=accept]").ClickAsync();
        await Assertions.Expect(page.Locator("#reports .error[role=alert]")).ToHaveTextAsync("当前状态为“已整改”，不能执行该操作。");
        await Assertions.Expect(page.Locator("#review-form")).ToHaveCountAsync(0);
        await BrowserApp.ShotAsync(page, "guard-review-refused-1280");
    }
}
