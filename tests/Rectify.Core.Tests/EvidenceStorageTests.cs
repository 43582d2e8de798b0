using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Reports;
using Rectify.Testing;

namespace Rectify.Core.Tests;

/// <summary>Evidence lives in the configured folder, which several nodes share; refused files never reach it.</summary>
public sealed class EvidenceStorageTests : IDisposable
{
    private readonly string _shared = Path.Combine(Path.GetTempPath(), "rectify-tests", "shared-evidence-" + Guid.NewGuid().ToString("N"));

    private static readonly byte[] Pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"u8.ToArray();

    private Task<TestDatabase> NodeAsync() =>
        TestDatabase.CreateAsync(settings: new Dictionary<string, string?> { ["Evidence:Directory"] = _shared });

    [Fact]
    public async Task Two_nodes_configured_with_one_folder_read_and_delete_each_others_uploads()
    {
        await using var nodeA = await NodeAsync();
        await using var nodeB = await NodeAsync();
        Assert.NotEqual(nodeA.Directory, nodeB.Directory);

        var stored = await nodeA.Services.GetRequiredService<IEvidenceStore>().SaveAsync(new EvidenceUpload("整改报告.pdf", Pdf.Length, () => new MemoryStream(Pdf)));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Pdf)), stored.Sha256);
        Assert.True(File.Exists(Path.Combine(_shared, stored.StorageKey)));
        Assert.False(Directory.Exists(Path.Combine(nodeA.Directory, "evidence")));

        var storageB = nodeB.Services.GetRequiredService<IEvidenceStorage>();
        Assert.True(await storageB.ExistsAsync(stored.StorageKey));
        await using (var read = await nodeB.Services.GetRequiredService<IEvidenceStore>().OpenReadAsync(stored.StorageKey))
        {
            var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.Equal(Pdf, copy.ToArray());
        }

        await nodeB.Services.GetRequiredService<IEvidenceStore>().DeleteAsync(stored.StorageKey);
        Assert.False(await nodeA.Services.GetRequiredService<IEvidenceStorage>().ExistsAsync(stored.StorageKey));
        var missing = await Assert.ThrowsAsync<RectifyException>(() => nodeA.Services.GetRequiredService<IEvidenceStore>().OpenReadAsync(stored.StorageKey));
        Assert.Equal(RectifyErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public async Task A_refused_upload_leaves_nothing_in_the_shared_folder()
    {
        await using var node = await NodeAsync();
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0 };
        var refused = await Assert.ThrowsAsync<RectifyException>(() =>
            node.Services.GetRequiredService<IEvidenceStore>().SaveAsync(new EvidenceUpload("伪装.pdf", png.Length, () => new MemoryStream(png))));
        Assert.Equal("evidence.content_mismatch", refused.Code);
        Assert.Empty(Directory.Exists(_shared) ? Directory.GetFiles(_shared, "*", SearchOption.AllDirectories) : []);
    }

    public void Dispose()
    {
        try { Directory.Delete(_shared, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
