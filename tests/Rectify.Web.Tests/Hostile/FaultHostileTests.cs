using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Findings;
using Rectify.Reports;

namespace Rectify.Web.Tests.Hostile;

/// <summary>
/// What a kill or a full disk leaves: orphan evidence and half-written <c>.tmp</c> files are swept once old enough and
/// unreferenced; a full disk answers <c>storage.full</c> (507, Chinese on the page), never a generic error.
/// </summary>
public sealed class FaultHostileTests(HostileApp app) : IClassFixture<HostileApp>
{
    private static byte[] Pdf(int size = 4096)
    {
        var pdf = new byte[size];
        "%PDF-1.4"u8.CopyTo(pdf);
        return pdf;
    }

    private static MultipartFormDataContent Report(string measures)
    {
        var file = new ByteArrayContent(Pdf());
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        return new MultipartFormDataContent { { new StringContent(measures), "measures" }, { file, "files", "证明.pdf" } };
    }

    [Fact]
    public async Task Orphan_and_tmp_files_older_than_the_grace_period_are_swept_and_referenced_ones_kept()
    {
        var liaison = await app.SignedInAsync("jyj");
        var finding = await app.WithDbAsync(db => db.Set<Finding>().Where(f => f.Unit!.Name == "教育局" && f.Status == FindingStatus.Assigned).Select(f => f.Id).FirstAsync());
        Assert.Equal(HttpStatusCode.Created, (await liaison.PostAsync($"/api/findings/{finding}/reports", Report("已整改"))).StatusCode);
        var referenced = await app.WithDbAsync(db => db.Set<EvidenceFile>().Select(e => e.StorageKey).FirstAsync());

        var root = Path.Combine(app.DataDirectory, "evidence");
        var old = DateTime.UtcNow.AddHours(-2);
        string Make(string key, DateTime written)
        {
            var path = Path.Combine(root, key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, Pdf());
            File.SetLastWriteTimeUtc(path, written);
            return path;
        }
        var orphan = Make("2026/03/0123456789abcdef0123456789abcdef.pdf", old);
        var tmp = Make("2026/03/fedcba9876543210fedcba9876543210.pdf.0011223344556677889900aabbccddee.tmp", old);
        var young = Make("2026/03/00000000000000000000000000000001.pdf", DateTime.UtcNow);
        var buffer = app.Services.GetRequiredService<EvidenceBuffers>().NewPath();
        File.WriteAllBytes(buffer, Pdf());
        File.SetLastWriteTimeUtc(buffer, old);
        File.SetLastWriteTimeUtc(Path.Combine(root, referenced), old);

        var deleted = await app.Services.GetRequiredService<EvidenceSweeper>().SweepAsync();

        Assert.True(deleted >= 3, $"{deleted} deleted");
        Assert.False(File.Exists(orphan));
        Assert.False(File.Exists(tmp));
        Assert.False(File.Exists(buffer));
        Assert.True(File.Exists(young), "a file younger than the grace period may belong to an upload still committing");
        Assert.True(File.Exists(Path.Combine(root, referenced)));
    }

    [Fact]
    public async Task A_full_disk_answers_storage_full_in_the_api_and_on_the_page()
    {
        await using var full = new FullDiskApp();
        await ((IAsyncLifetime)full).InitializeAsync();
        try
        {
            var liaison = await full.SignedInAsync("kjj");
            var finding = await full.WithDbAsync(db => db.Set<Finding>().Where(f => f.Unit!.Name == "科技局" && f.Status == FindingStatus.Assigned).Select(f => f.Id).FirstAsync());
            var problem = await HostileApp.ProblemAsync(await liaison.PostAsync($"/api/findings/{finding}/reports", Report("磁盘已满时提交")), HttpStatusCode.InsufficientStorage, "storage.full");
            Assert.Contains("存储空间已满", problem.GetProperty("title").GetString());

            // The page's form: the same refusal, in Chinese.
            var html = await liaison.GetStringAsync($"/findings/{finding}");
            var token = Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            var form = Report("磁盘已满时从页面提交");
            form.Add(new StringContent(token), "__RequestVerificationToken");
            var page = await liaison.PostAsync($"/findings/{finding}?handler=Report", form);
            Assert.Equal(HttpStatusCode.InsufficientStorage, page.StatusCode);
            Assert.Contains("存储空间已满", await page.Content.ReadAsStringAsync());
            Assert.Equal(FindingStatus.Assigned, await full.WithDbAsync(db => db.Set<Finding>().Where(f => f.Id == finding).Select(f => f.Status).SingleAsync()));
        }
        finally
        {
            full.Unmount();
        }
    }

    /// <summary>
    /// Evidence on a tmpfs of 64 KB, already filled: a real ENOSPC. Where mounting is not allowed (not root), the
    /// storage seam is replaced by one whose writes fail as a full disk does.
    /// </summary>
    private sealed class FullDiskApp : HostileApp
    {
        private readonly string _mount = Path.Combine(Path.GetTempPath(), "rectify-full-disk", Guid.NewGuid().ToString("N"));
        private readonly bool _mounted;

        public FullDiskApp()
        {
            Directory.CreateDirectory(_mount);
            _mounted = Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", _mount);
            if (!_mounted)
                return;
            using var filler = File.Create(Path.Combine(_mount, "filler"));
            try { filler.Write(new byte[1024 * 1024]); } catch (IOException) { }
        }

        protected override IDictionary<string, string?> Extra => new Dictionary<string, string?> { ["Evidence:Directory"] = _mount };

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            if (!_mounted)
                Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.ConfigureTestServices(builder, s => s.AddSingleton<IEvidenceStorage, FullStorage>());
        }

        public void Unmount()
        {
            if (_mounted)
                Run("umount", _mount);
        }

        private static bool Run(string command, params string[] args)
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
                process.WaitForExit();
                return process.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }
    }

    /// <summary>A storage whose every write fails with ENOSPC, as .NET reports it on Linux.</summary>
    private sealed class FullStorage : IEvidenceStorage
    {
        public Task SaveAsync(string key, Stream content, CancellationToken ct = default) => throw new IOException("No space left on device", 28);
        public Task<Stream> OpenReadAsync(string key, CancellationToken ct = default) => throw RectifyException.NotFound("evidence");
        public Task DeleteAsync(string key, CancellationToken ct = default) => Task.CompletedTask;
        public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => Task.FromResult(false);
        public IAsyncEnumerable<StoredObject> ListAsync(CancellationToken ct = default) => AsyncEnumerable.Empty<StoredObject>();
    }
}
