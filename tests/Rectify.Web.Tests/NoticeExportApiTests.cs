using System.IO.Compression;
using System.Net;

namespace Rectify.Web.Tests;

/// <summary>Over /api: the official .docx with or without its 版头, and the PDF kept from those who may not read the draft.</summary>
public sealed class NoticeExportApiTests(RectifyWebFactory app) : IClassFixture<RectifyWebFactory>
{
    [Fact]
    public async Task The_docx_leaves_out_the_letterhead_on_request_and_a_liaison_gets_no_pdf_of_a_draft()
    {
        var auditor = await app.ClientAsync("auditor");
        var (id, _) = await NoticePreviewApiTests.DraftAsync(app, auditor, "X政公办〔2026〕41号");

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
