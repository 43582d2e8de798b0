using Microsoft.Extensions.Options;
using Rectify.Data;

namespace Rectify.Reports;

/// <summary>
/// The node's own folder (<see cref="EvidenceOptions.BufferDirectory"/>) where an upload is held while it is counted,
/// hashed and checked before it goes to the evidence storage. A buffer is deleted on close; only a kill leaves one,
/// and the sweep removes it. Never the machine's shared temporary folder: another process's sweep must not count or
/// delete this node's buffers.
/// </summary>
public sealed class EvidenceBuffers(DataDirectory data, IOptions<EvidenceOptions> options)
{
    private const string Prefix = "upload-";

    public string Root { get; } = Path.GetFullPath(Path.Combine(data.Path, options.Value.BufferDirectory));

    public FileStream Create() => new(NewPath(), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920,
        FileOptions.Asynchronous | FileOptions.DeleteOnClose);

    /// <summary>A new buffer's path, in a folder that exists.</summary>
    public string NewPath()
    {
        // On every upload, not once: a clean-up by an operator may remove the folder while the app runs, and when it
        // exists this is one stat.
        Directory.CreateDirectory(Root);
        return Path.Combine(Root, $"{Prefix}{Guid.NewGuid():N}");
    }

    /// <summary>Deletes the buffers last written before <paramref name="cutoff"/>; answers how many.</summary>
    public int DeleteOlderThan(DateTimeOffset cutoff)
    {
        if (!Directory.Exists(Root))
            return 0;
        var deleted = 0;
        foreach (var buffer in new DirectoryInfo(Root).EnumerateFiles(Prefix + "*"))
        {
            if (buffer.LastWriteTimeUtc < cutoff.UtcDateTime)
            {
                try { buffer.Delete(); deleted++; } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
        return deleted;
    }
}
