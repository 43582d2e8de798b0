using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Options;
using Rectify.Testing;
using Xunit;

namespace Rectify.Notices.Tests;

/// <summary>
/// The PDF conversions are capped: never more LibreOffice processes at once than Notices:PdfConversions, the others
/// wait their turn within a bound and are refused as busy beyond it, and one document is converted once. Observed
/// through the converter (a stand-in soffice that holds each conversion until released), never through timing.
/// </summary>
public sealed class NoticePdfLimitTests : IDisposable
{
    private readonly FakeSoffice _soffice = new();

    private NoticePdf Converter(int conversions, int maxWaiting = 8, TimeSpan? waitTimeout = null) => new(Options.Create(new NoticeOptions
    {
        LibreOffice = _soffice.Program,
        PdfConversions = conversions,
        PdfMaxWaiting = maxWaiting,
        PdfWaitTimeout = waitTimeout ?? TimeSpan.FromMinutes(5),
    }));

    /// <summary>A .docx-shaped package; <paramref name="written"/> stamps its entries as a writer at another moment would.</summary>
    private static byte[] Docx(string text, DateTimeOffset? written = null)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry("word/document.xml");
            entry.LastWriteTime = written ?? new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
            using var writer = new StreamWriter(entry.Open(), Encoding.UTF8);
            writer.Write($"<w:document>{text}</w:document>");
        }
        return stream.ToArray();
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        // Waits on the converter's state, not on time: the bound only stops a broken build from hanging.
        var giveUp = DateTime.UtcNow.AddMinutes(2);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, $"never: {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Concurrent_requests_never_run_more_conversions_than_the_cap_and_the_others_wait_their_turn()
    {
        var pdf = Converter(conversions: 2);
        var documents = Enumerable.Range(1, 6).Select(i => Docx($"通报{i}")).ToList();
        var requests = documents.Select(d => Task.Run(() => pdf.ConvertAsync(d))).ToList();

        await UntilAsync(() => pdf.Running == 2 && pdf.Waiting == 4 && _soffice.Started == 2, "two conversions running and four waiting");
        Assert.Equal(2, _soffice.Started);
        Assert.All(requests, r => Assert.False(r.IsCompleted));

        _soffice.Release();
        var converted = await Task.WhenAll(requests);
        Assert.Equal(documents, converted);
        Assert.Equal(6, _soffice.Started);
        Assert.Equal(2, _soffice.MostAtOnce);
        Assert.Equal((0, 0), (pdf.Running, pdf.Waiting));
    }

    [Fact]
    public async Task Beyond_the_waiting_bound_or_the_wait_timeout_a_request_is_refused_as_busy()
    {
        var pdf = Converter(conversions: 1, maxWaiting: 1);
        var first = pdf.ConvertAsync(Docx("一"));
        await UntilAsync(() => pdf.Running == 1, "the first conversion running");
        var second = pdf.ConvertAsync(Docx("二"));
        await UntilAsync(() => pdf.Waiting == 1, "the second waiting");

        var refused = await Assert.ThrowsAsync<RectifyException>(() => pdf.ConvertAsync(Docx("三")));
        Assert.Equal((NoticePdf.BusyCode, RectifyErrorKind.Busy), (refused.Code, refused.Kind));
        Assert.Contains("请稍后再试", refused.Message);

        _soffice.Release();
        Assert.Equal(Docx("一"), await first);
        Assert.Equal(Docx("二"), await second);
        Assert.Equal(2, _soffice.Started);
    }

    [Fact]
    public async Task A_request_waiting_longer_than_the_wait_timeout_is_refused_as_busy()
    {
        // The first conversion is held until the test releases it, so the second's short wait always runs out.
        var pdf = Converter(conversions: 1, waitTimeout: TimeSpan.FromMilliseconds(200));
        var first = pdf.ConvertAsync(Docx("一"));
        await UntilAsync(() => pdf.Running == 1, "the first conversion running");

        var refused = await Assert.ThrowsAsync<RectifyException>(() => pdf.ConvertAsync(Docx("二")));
        Assert.Equal(NoticePdf.BusyCode, refused.Code);
        Assert.Equal(0, pdf.Waiting);

        // A refusal is not kept: the same document asked again converts once the way is free.
        _soffice.Release();
        await first;
        Assert.Equal(Docx("二"), await pdf.ConvertAsync(Docx("二")));
        Assert.Equal(2, _soffice.Started);
    }

    [Fact]
    public async Task The_same_document_is_converted_once_for_concurrent_and_later_requests()
    {
        var pdf = Converter(conversions: 1);
        // Written at two moments (as the .docx of one notice revision downloaded twice): other bytes, the same parts.
        var early = Docx("同一份通报", new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var late = Docx("同一份通报", new DateTimeOffset(2026, 3, 2, 9, 0, 30, TimeSpan.Zero));
        Assert.NotEqual(early, late);
        var one = pdf.ConvertAsync(early);
        var two = pdf.ConvertAsync(late);
        await UntilAsync(() => _soffice.Started == 1, "the conversion started");
        _soffice.Release();
        Assert.Equal(await one, await two);
        Assert.Equal(await one, await pdf.ConvertAsync(late));

        // The notice writer's own output, written twice, is the same document too.
        var docx = NoticeDocxWriter.Write("<div><h1>关于政务公开工作检查情况的通报</h1><p>正文。</p></div>");
        await pdf.ConvertAsync(docx);
        await pdf.ConvertAsync(NoticeDocxWriter.Write("<div><h1>关于政务公开工作检查情况的通报</h1><p>正文。</p></div>"));
        Assert.Equal(2, _soffice.Started);
    }

    public void Dispose() => _soffice.Dispose();
}
