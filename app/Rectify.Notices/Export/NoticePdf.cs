using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Rectify.Notices;

/// <summary>
/// Converts the notice .docx to PDF with LibreOffice (headless), so an office can publish the PDF as it is. Optional:
/// without LibreOffice <see cref="IsAvailable"/> is false and the notice page offers no PDF.
/// Each soffice takes a few hundred MB, so at most <see cref="NoticeOptions.PdfConversions"/> run at a time, each on a
/// profile of its own slot (LibreOffice refuses a second instance on one profile); a document waits its turn up to
/// <see cref="NoticeOptions.PdfWaitTimeout"/>, behind at most <see cref="NoticeOptions.PdfMaxWaiting"/> others, and is
/// refused as busy otherwise. The same document (same parts) is converted once: requests for it meanwhile share the
/// conversion, and the last few PDFs are kept.
/// </summary>
public sealed partial class NoticePdf
{
    public const string BusyCode = "notice.pdf_busy";
    private const int Kept = 8;

    private readonly NoticeOptions _options;
    private readonly Channel<int> _slots;
    // This converter's own: two in one process (apps side by side, as tests run them) must not share a slot's profile.
    private readonly string _profiles = Path.Combine(Path.GetTempPath(), $"rectify-libreoffice-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private readonly Lazy<string?> _program;
    // By content key, the oldest first: finished conversions and the ones under way (shared by their requests).
    private readonly Dictionary<string, Task<byte[]>> _conversions = [];
    private readonly LinkedList<string> _order = [];
    private int _running;
    private int _waiting;

    public NoticePdf(IOptions<NoticeOptions> options)
    {
        _options = options.Value;
        var slots = Math.Max(1, _options.PdfConversions);
        _slots = Channel.CreateBounded<int>(slots);
        for (var slot = 0; slot < slots; slot++)
            _slots.Writer.TryWrite(slot);
        _program = new(() => Find(_options.LibreOffice));
    }

    public bool IsAvailable => _program.Value is not null;

    /// <summary>LibreOffice processes running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Documents waiting for a free conversion.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public async Task<byte[]> ConvertAsync(byte[] docx, CancellationToken ct = default)
    {
        var program = _program.Value ?? throw new RectifyException("notice.pdf_unavailable",
            "服务器未安装 LibreOffice，无法生成 PDF，请下载 .docx 版本。", "LibreOffice is not installed on the server; download the .docx instead.");
        var key = ContentKey(docx);
        TaskCompletionSource<byte[]>? started = null;
        Task<byte[]>? conversion;
        lock (_conversions)
        {
            if (!_conversions.TryGetValue(key, out conversion))
            {
                started = new(TaskCreationOptions.RunContinuationsAsynchronously);
                conversion = started.Task;
                _conversions[key] = conversion;
                _order.AddLast(key);
                if (_order.Count > Kept)
                {
                    _conversions.Remove(_order.First!.Value);
                    _order.RemoveFirst();
                }
            }
        }
        if (started is not null)
            _ = ConvertInTurnAsync(key, started, program, docx);
        // A request that goes away leaves the conversion to the others (and to the cache).
        return await conversion.WaitAsync(ct);
    }

    private async Task ConvertInTurnAsync(string key, TaskCompletionSource<byte[]> result, string program, byte[] docx)
    {
        try
        {
            var slot = await TakeSlotAsync();
            Interlocked.Increment(ref _running);
            try
            {
                result.SetResult(await RunAsync(program, Path.Combine(_profiles, slot.ToString(System.Globalization.CultureInfo.InvariantCulture)), docx));
            }
            finally
            {
                Interlocked.Decrement(ref _running);
                _slots.Writer.TryWrite(slot);
            }
        }
        catch (Exception e)
        {
            // Not kept: the next request for the document tries again.
            lock (_conversions)
            {
                if (_conversions.TryGetValue(key, out var kept) && kept == result.Task)
                {
                    _conversions.Remove(key);
                    _order.Remove(key);
                }
            }
            result.SetException(e);
        }
    }

    private async Task<int> TakeSlotAsync()
    {
        if (_slots.Reader.TryRead(out var free))
            return free;
        if (Interlocked.Increment(ref _waiting) > _options.PdfMaxWaiting)
        {
            Interlocked.Decrement(ref _waiting);
            throw Busy();
        }
        try
        {
            using var timeout = new CancellationTokenSource(_options.PdfWaitTimeout);
            return await _slots.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw Busy();
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private RectifyException Busy() => new(BusyCode,
        $"服务器正在生成其他通报的 PDF（同时最多{_options.PdfConversions}份），请稍后再试，或先下载 .docx 版本。",
        $"The server is busy converting other notices to PDF (at most {_options.PdfConversions} at a time); try again shortly, or download the .docx.",
        RectifyErrorKind.Busy);

    private async Task<byte[]> RunAsync(string program, string profile, byte[] docx)
    {
        var work = Directory.CreateTempSubdirectory("rectify-notice-pdf-");
        try
        {
            var source = Path.Combine(work.FullName, "notice.docx");
            await File.WriteAllBytesAsync(source, docx);
            var start = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                ArgumentList =
                {
                    $"-env:UserInstallation={new Uri(profile).AbsoluteUri}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", work.FullName, source,
                },
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(_options.PdfTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"LibreOffice did not convert the notice within {_options.PdfTimeout}.");
            }
            var pdf = Path.Combine(work.FullName, "notice.pdf");
            if (process.ExitCode != 0 || !File.Exists(pdf))
                throw new InvalidOperationException($"LibreOffice did not convert the notice (exit {process.ExitCode}): {await output} {await error}");
            return await File.ReadAllBytesAsync(pdf);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The document's parts, not its bytes: the zip stamps every entry with the time it was written, and the Open XML
    /// SDK names relationships it adds at random (R + 16 hex digits), so those names are left out of the key.
    /// </summary>
    private static string ContentKey(byte[] docx)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var zip = new ZipArchive(new MemoryStream(docx), ZipArchiveMode.Read);
        foreach (var entry in zip.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            using var part = new MemoryStream();
            using (var read = entry.Open())
                read.CopyTo(part);
            var content = part.ToArray();
            if (entry.FullName.EndsWith(".rels", StringComparison.Ordinal))
                content = Encoding.UTF8.GetBytes(RandomRelationshipId().Replace(Encoding.UTF8.GetString(content), "Id=\"\""));
            hash.AppendData(Encoding.UTF8.GetBytes($"{entry.FullName}\n{content.Length}\n"));
            hash.AppendData(content);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    [GeneratedRegex("Id=\"R[0-9a-f]{16}\"")]
    private static partial Regex RandomRelationshipId();

    private static string? Find(string program)
    {
        if (Path.IsPathRooted(program))
            return File.Exists(program) ? program : null;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
    }
}
