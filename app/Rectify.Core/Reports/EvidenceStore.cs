using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Rectify.Data;

namespace Rectify.Reports;

public sealed class EvidenceOptions
{
    /// <summary>Largest accepted file, in bytes (default 20 MB).</summary>
    public long MaxFileBytes { get; set; } = 20 * 1024 * 1024;
    /// <summary>Most files in one report.</summary>
    public int MaxFiles { get; set; } = 10;
    /// <summary>
    /// The folder evidence files are kept in (absolute, or relative to the data folder; default <c>evidence</c>). With
    /// several nodes, a folder they all mount.
    /// </summary>
    public string Directory { get; set; } = "evidence";
    /// <summary>
    /// How old a stored file (or a <c>.tmp</c> left by a kill) must be before <see cref="EvidenceSweeper"/> deletes it
    /// when no report references it: longer than any upload's store-then-commit (default 1 hour).
    /// </summary>
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromHours(1);
    /// <summary>How often the sweep runs after the one at start (default 6 hours).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(6);
    /// <summary>
    /// This node's folder for uploads being checked (absolute, or relative to the data folder; default <c>buffers</c>).
    /// Local to the node, never shared: each node's sweep deletes only what its own kills left.
    /// </summary>
    public string BufferDirectory { get; set; } = "buffers";

    /// <summary>The largest request a report submission may send: every file at its limit, plus the form's text.</summary>
    public long UploadBytes => MaxFileBytes * MaxFiles + 1024 * 1024;
}

/// <summary>One uploaded file as the web layer hands it over (e.g. from an IFormFile).</summary>
public sealed record EvidenceUpload(string FileName, long Length, Func<Stream> OpenRead);

/// <summary>An object in the evidence storage, as listed for the orphan sweep.</summary>
public sealed record StoredObject(string Key, DateTimeOffset LastModified);

/// <summary>A file accepted into the store: its key and what was learnt about it while storing.</summary>
public sealed record StoredEvidence(string StorageKey, string FileName, string ContentType, long Size, string Sha256);

/// <summary>Accepts evidence files and reads them back. Keys are made by the store, never taken from the user.</summary>
public interface IEvidenceStore
{
    /// <summary>Checks the size and the type (extension and content) and stores the file; refuses with a <see cref="RectifyException"/>.</summary>
    Task<StoredEvidence> SaveAsync(EvidenceUpload upload, CancellationToken ct = default);
    Task<Stream> OpenReadAsync(string storageKey, CancellationToken ct = default);
    Task DeleteAsync(string storageKey, CancellationToken ct = default);
}

/// <summary>
/// Where the bytes of accepted evidence are kept, by key (<c>yyyy/MM/&lt;guid&gt;.ext</c>): every node of one
/// installation must reach the same storage. <see cref="FolderEvidenceStorage"/> is a shared folder; an object store
/// (S3, OSS, MinIO) is one more class implementing this, registered in its place.
/// </summary>
public interface IEvidenceStorage
{
    /// <summary>Stores <paramref name="content"/> under a new key; readers never see a partly written object.</summary>
    Task SaveAsync(string key, Stream content, CancellationToken ct = default);
    /// <summary>The object's bytes; a <see cref="RectifyException"/> (not found) when there is none.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken ct = default);
    /// <summary>Removes the object; nothing happens when there is none.</summary>
    Task DeleteAsync(string key, CancellationToken ct = default);
    Task<bool> ExistsAsync(string key, CancellationToken ct = default);
    /// <summary>Every object, with what a kill may have left half-written (for the orphan sweep).</summary>
    IAsyncEnumerable<StoredObject> ListAsync(CancellationToken ct = default);
}

/// <summary>Evidence in a folder (<see cref="EvidenceOptions.Directory"/>) outside the web root, under yyyy/MM/.</summary>
public sealed class FolderEvidenceStorage(DataDirectory data, IOptions<EvidenceOptions> options) : IEvidenceStorage
{
    public string Root { get; } = Path.GetFullPath(Path.Combine(data.Path, options.Value.Directory));

    public async Task SaveAsync(string key, Stream content, CancellationToken ct = default)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written beside its final name and renamed, so that another node never opens a partial file.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                await content.CopyToAsync(target, ct);
            File.Move(temporary, path, overwrite: false);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken ct = default)
    {
        try
        {
            return Task.FromResult<Stream>(new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw RectifyException.NotFound("evidence");
        }
    }

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => Task.FromResult(File.Exists(PathOf(key)));

    public async IAsyncEnumerable<StoredObject> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        if (!System.IO.Directory.Exists(Root))
            yield break;
        foreach (var file in new DirectoryInfo(Root).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            ct.ThrowIfCancellationRequested();
            yield return new StoredObject(Path.GetRelativePath(Root, file.FullName).Replace(Path.DirectorySeparatorChar, '/'), file.LastWriteTimeUtc);
        }
        await Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(Root, key));
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw RectifyException.NotFound("evidence");
        return path;
    }
}

/// <summary>
/// Checks each upload in a local temporary file (size, type by extension and content, SHA-256) and only then puts it
/// into the <see cref="IEvidenceStorage"/>, so that refused bytes never reach the shared storage; downloads go only
/// through an authorized endpoint.
/// </summary>
public sealed class EvidenceStore(IEvidenceStorage storage, EvidenceBuffers buffers, IOptions<EvidenceOptions> options, TimeProvider time) : IEvidenceStore
{
    /// <summary>Allowed types: extension, content type and how the content must begin (a zip for Office files).</summary>
    private static readonly Dictionary<string, (string ContentType, byte[] Magic, string? ZipEntry)> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = ("application/pdf", "%PDF-"u8.ToArray(), null),
        [".png"] = ("image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], null),
        [".jpg"] = ("image/jpeg", [0xFF, 0xD8, 0xFF], null),
        [".jpeg"] = ("image/jpeg", [0xFF, 0xD8, 0xFF], null),
        [".docx"] = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", [0x50, 0x4B, 0x03, 0x04], "word/document.xml"),
        [".xlsx"] = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [0x50, 0x4B, 0x03, 0x04], "xl/workbook.xml"),
        [".zip"] = ("application/zip", [0x50, 0x4B, 0x03, 0x04], null),
    };

    public static IReadOnlyCollection<string> AllowedExtensions => Types.Keys;

    public async Task<StoredEvidence> SaveAsync(EvidenceUpload upload, CancellationToken ct = default)
    {
        var fileName = Path.GetFileName(upload.FileName.Replace('\\', '/')).Trim();
        var extension = Path.GetExtension(fileName);
        if (fileName.Length == 0 || !Types.TryGetValue(extension, out var type))
            throw RectifyException.Invalid("evidence.type_not_allowed",
                $"不支持的文件类型“{extension}”，仅限 PDF、PNG、JPG、DOCX、XLSX、ZIP。",
                $"File type '{extension}' is not allowed; use PDF, PNG, JPG, DOCX, XLSX or ZIP.");
        var max = options.Value.MaxFileBytes;
        if (upload.Length > max)
            throw TooLarge(fileName, max);
        if (upload.Length == 0)
            throw RectifyException.Invalid("evidence.empty", $"文件“{fileName}”为空。", $"File '{fileName}' is empty.");

        try
        {
            return await StoreAsync(upload, fileName, extension, type, max, ct);
        }
        catch (IOException e) when (StorageFull.Is(e))
        {
            throw StorageFull.Error();
        }
    }

    private async Task<StoredEvidence> StoreAsync(EvidenceUpload upload, string fileName, string extension,
        (string ContentType, byte[] Magic, string? ZipEntry) type, long max, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var key = $"{now:yyyy}/{now:MM}/{Guid.NewGuid():N}{extension.ToLowerInvariant()}";
        await using var temporary = buffers.Create();
        long size = 0;
        string sha;
        await using (var source = upload.OpenRead())
        {
            // Count while copying: the declared length is the client's word, the bytes are not.
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                size += read;
                if (size > max)
                    throw TooLarge(fileName, max);
                hash.AppendData(buffer, 0, read);
                await temporary.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        if (!ContentMatches(temporary, type.Magic, type.ZipEntry))
            throw RectifyException.Invalid("evidence.content_mismatch",
                $"文件“{fileName}”的内容与扩展名不符。", $"The content of '{fileName}' does not match its extension.");
        temporary.Position = 0;
        await storage.SaveAsync(key, temporary, ct);
        return new StoredEvidence(key, fileName, type.ContentType, size, sha);
    }

    public Task<Stream> OpenReadAsync(string storageKey, CancellationToken ct = default) => storage.OpenReadAsync(storageKey, ct);

    public Task DeleteAsync(string storageKey, CancellationToken ct = default) => storage.DeleteAsync(storageKey, ct);

    private static bool ContentMatches(FileStream file, byte[] magic, string? zipEntry)
    {
        file.Position = 0;
        Span<byte> head = stackalloc byte[magic.Length];
        if (file.ReadAtLeast(head, magic.Length, throwOnEndOfStream: false) < magic.Length || !head.SequenceEqual(magic))
            return false;
        if (zipEntry is null)
            return true;
        try
        {
            file.Position = 0;
            using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            return zip.GetEntry(zipEntry) is not null;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static RectifyException TooLarge(string fileName, long max) => RectifyException.Invalid("evidence.too_large",
        $"文件“{fileName}”超过 {max / 1024 / 1024} MB 的大小限制。", $"File '{fileName}' is larger than the {max / 1024 / 1024} MB limit.");
}
