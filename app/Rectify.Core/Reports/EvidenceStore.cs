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
}

/// <summary>One uploaded file as the web layer hands it over (e.g. from an IFormFile).</summary>
public sealed record EvidenceUpload(string FileName, long Length, Func<Stream> OpenRead);

/// <summary>A file accepted into the store: its key and what was learnt about it while storing.</summary>
public sealed record StoredEvidence(string StorageKey, string FileName, string ContentType, long Size, string Sha256);

/// <summary>Where evidence bytes live. Keys are made by the store, never taken from the user.</summary>
public interface IEvidenceStore
{
    /// <summary>Checks the size and the type (extension and content) and stores the file; refuses with a <see cref="RectifyException"/>.</summary>
    Task<StoredEvidence> SaveAsync(EvidenceUpload upload, CancellationToken ct = default);
    Stream OpenRead(string storageKey);
    void Delete(string storageKey);
}

/// <summary>Evidence files in &lt;data&gt;/evidence/yyyy/MM/, outside the web root, downloaded only through an authorized endpoint.</summary>
public sealed class FolderEvidenceStore(DataDirectory data, IOptions<EvidenceOptions> options, TimeProvider time) : IEvidenceStore
{
    private readonly string _root = data.Combine("evidence");

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

        var now = time.GetUtcNow();
        var key = $"{now:yyyy}/{now:MM}/{Guid.NewGuid():N}{extension.ToLowerInvariant()}";
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            long size;
            string sha;
            await using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            await using (var source = upload.OpenRead())
            {
                // Count while copying: the declared length is the client's word, the bytes are not.
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[81920];
                size = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > max)
                        throw TooLarge(fileName, max);
                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), ct);
                }
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            if (!ContentMatches(path, type.Magic, type.ZipEntry))
                throw RectifyException.Invalid("evidence.content_mismatch",
                    $"文件“{fileName}”的内容与扩展名不符。", $"The content of '{fileName}' does not match its extension.");
            return new StoredEvidence(key, fileName, type.ContentType, size, sha);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    public Stream OpenRead(string storageKey) =>
        new FileStream(PathOf(storageKey), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);

    public void Delete(string storageKey)
    {
        var path = PathOf(storageKey);
        if (File.Exists(path))
            File.Delete(path);
    }

    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw RectifyException.NotFound("evidence");
        return path;
    }

    private static bool ContentMatches(string path, byte[] magic, string? zipEntry)
    {
        using (var stream = File.OpenRead(path))
        {
            Span<byte> head = stackalloc byte[magic.Length];
            if (stream.ReadAtLeast(head, magic.Length, throwOnEndOfStream: false) < magic.Length || !head.SequenceEqual(magic))
                return false;
        }
        if (zipEntry is null)
            return true;
        try
        {
            using var zip = ZipFile.OpenRead(path);
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
