using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rectify.Findings;

namespace Rectify.Web.Tests;

/// <summary>Over /api: the official .docx with or without its 版头, and the PDF kept from those who may not read the draft.</summary>
public sealed class NoticeExportApiTests(RectifyWebFactory app) : IClassFixture<RectifyWebFactory>
{
    [Fact]
    public async Task The_docx_leaves_out_the_letterhead_on_request_and_a_liaison_gets_no_pdf_of_a_draft()
    {
        var auditor = await app.ClientAsync("auditor");
        var inspectionId = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Status == FindingStatus.Draft).Select(f => f.InspectionId).FirstAsync());
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var created = await auditor.PostAsJsonAsync("/api/notices", new
        {
            title = "关于2026年2月政务公开工作检查情况的通报", number = "X政公办〔2026〕41号", office = "区政务公开办", addressees = "区政府各部门",
            date = today, periodStart = new DateOnly(2026, 2, 1), periodEnd = new DateOnly(2026, 2, 28), inspectionIds = new[] { inspectionId },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        Assert.Contains("w:color w:val=\"FF0000\"", await DocumentXmlAsync(auditor, $"/api/notices/{id}/notice.docx"));
        Assert.DoesNotContain("FF0000", await DocumentXmlAsync(auditor, $"/api/notices/{id}/notice.docx?letterhead=false"));

        var liaison = await app.ClientAsync("jyj");
        Assert.Equal(HttpStatusCode.NotFound, (await liaison.GetAsync($"/api/notices/{id}/notice.pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await liaison.GetAsync($"/api/notices/{id}/notice.docx")).StatusCode);
    }

    private static async Task<string> DocumentXmlAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync());
        using var reader = new StreamReader(zip.GetEntry("word/document.xml")!.Open());
        return await reader.ReadToEndAsync();
    }
}
