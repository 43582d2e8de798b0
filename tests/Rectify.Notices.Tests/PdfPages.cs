using System.Diagnostics;
using System.Globalization;

namespace Rectify.Notices.Tests;

/// <summary>
/// A PDF as an office checks it with a ruler: LibreOffice converts the .docx, pdftoppm draws each page (kept as PNG
/// under artifacts/ and read as PPM here), pdftotext gives the text as laid out. Distances are in millimetres from the
/// page's top and left edges.
/// </summary>
internal sealed class PdfPages
{
    public const int Dpi = 200;
    public const double PxPerMm = Dpi / 25.4;

    public required string Pdf { get; init; }
    public required List<Page> Pages { get; init; }

    /// <summary>Converts the .docx in <paramref name="folder"/> and draws its pages (also as PNG, for people to look at).</summary>
    public static async Task<PdfPages> ConvertAsync(string docx, string folder)
    {
        Directory.CreateDirectory(folder);
        await RunAsync("soffice", "-env:UserInstallation=file://" + Path.Combine(folder, "lo-profile"), "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", folder, docx);
        var pdf = Path.Combine(folder, Path.GetFileNameWithoutExtension(docx) + ".pdf");
        Assert.True(File.Exists(pdf), "LibreOffice did not write the PDF");
        var prefix = Path.Combine(folder, "page");
        await RunAsync("pdftoppm", "-png", "-r", Dpi.ToString(CultureInfo.InvariantCulture), pdf, prefix);
        await RunAsync("pdftoppm", "-r", Dpi.ToString(CultureInfo.InvariantCulture), pdf, prefix);
        var pages = Directory.GetFiles(folder, "page-*.ppm").Order(StringComparer.Ordinal).Select(Page.Read).ToList();
        return new PdfPages { Pdf = pdf, Pages = pages };
    }

    public Task<string> TextAsync(int page) => RunAsync("pdftotext", "-layout", "-f", page.ToString(CultureInfo.InvariantCulture), "-l", page.ToString(CultureInfo.InvariantCulture), Pdf, "-");

    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{program} failed: {await error}");
        return await output;
    }

    /// <summary>One page drawn at <see cref="Dpi"/>: RGB pixels.</summary>
    internal sealed class Page(int width, int height, byte[] rgb)
    {
        public int Width => width;
        public int Height => height;

        public static Page Read(string ppm)
        {
            var bytes = File.ReadAllBytes(ppm);
            // "P6\n<width> <height>\n255\n" then the pixels.
            var position = 0;
            string Token()
            {
                while (char.IsWhiteSpace((char)bytes[position]))
                    position++;
                var start = position;
                while (!char.IsWhiteSpace((char)bytes[position]))
                    position++;
                return System.Text.Encoding.ASCII.GetString(bytes, start, position - start);
            }
            Assert.Equal("P6", Token());
            int w = int.Parse(Token(), CultureInfo.InvariantCulture), h = int.Parse(Token(), CultureInfo.InvariantCulture);
            Token();
            return new Page(w, h, bytes[(position + 1)..]);
        }

        public bool IsRed(int x, int y) => Pixel(x, y) is var (r, g, b) && r > 150 && g < 100 && b < 100;
        public bool IsDark(int x, int y) => Pixel(x, y) is var (r, g, b) && r < 110 && g < 110 && b < 110;

        private (int R, int G, int B) Pixel(int x, int y)
        {
            var i = (y * width + x) * 3;
            return (rgb[i], rgb[i + 1], rgb[i + 2]);
        }

        /// <summary>Rows (top to bottom, in mm) whose longest run of matching pixels is at least <paramref name="minRunMm"/>, with that run's extent.</summary>
        public IEnumerable<(double Y, double Left, double Right)> Runs(Func<int, int, bool> ink, double minRunMm, double fromMm = 0, double toMm = 297)
        {
            for (var y = (int)(fromMm * PxPerMm); y < Math.Min(height, (int)(toMm * PxPerMm)); y++)
            {
                int best = 0, bestStart = 0, run = 0;
                for (var x = 0; x < width; x++)
                {
                    run = ink(x, y) ? run + 1 : 0;
                    if (run > best)
                    {
                        best = run;
                        bestStart = x - run + 1;
                    }
                }
                if (best >= minRunMm * PxPerMm)
                    yield return (y / PxPerMm, bestStart / PxPerMm, (bestStart + best) / PxPerMm);
            }
        }

        /// <summary>The rows (mm) between two heights that hold any matching pixel.</summary>
        public List<double> InkRows(Func<int, int, bool> ink, double fromMm, double toMm) =>
            Runs(ink, 1 / PxPerMm, fromMm, toMm).Select(r => r.Y).ToList();
    }
}
