using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Rectify.Notices;

/// <summary>
/// Converts the notice .docx to PDF with LibreOffice (headless), so an office can publish the PDF as it is. Optional:
/// without LibreOffice <see cref="IsAvailable"/> is false and the notice page offers no PDF. Conversions run one at a
/// time with a profile of this process (LibreOffice refuses a second instance on one profile).
/// </summary>
public sealed class NoticePdf(IOptions<NoticeOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly string _profile = Path.Combine(Path.GetTempPath(), $"rectify-libreoffice-{Environment.ProcessId}");
    private readonly Lazy<string?> _program = new(() => Find(options.Value.LibreOffice));

    public bool IsAvailable => _program.Value is not null;

    public async Task<byte[]> ConvertAsync(byte[] docx, CancellationToken ct = default)
    {
        var program = _program.Value ?? throw new RectifyException("notice.pdf_unavailable",
            "服务器未安装 LibreOffice，无法生成 PDF，请下载 .docx 版本。", "LibreOffice is not installed on the server; download the .docx instead.");
        var work = Directory.CreateTempSubdirectory("rectify-notice-pdf-");
        await _one.WaitAsync(ct);
        try
        {
            var source = Path.Combine(work.FullName, "notice.docx");
            await File.WriteAllBytesAsync(source, docx, ct);
            var start = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                ArgumentList =
                {
                    $"-env:UserInstallation={new Uri(_profile).AbsoluteUri}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", work.FullName, source,
                },
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var error = process.StandardError.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.PdfTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            var pdf = Path.Combine(work.FullName, "notice.pdf");
            if (process.ExitCode != 0 || !File.Exists(pdf))
                throw new InvalidOperationException($"LibreOffice did not convert the notice (exit {process.ExitCode}): {await output} {await error}");
            return await File.ReadAllBytesAsync(pdf, ct);
        }
        finally
        {
            _one.Release();
            work.Delete(recursive: true);
        }
    }

    public void Dispose() => _one.Dispose();

    private static string? Find(string program)
    {
        if (Path.IsPathRooted(program))
            return File.Exists(program) ? program : null;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
    }
}
