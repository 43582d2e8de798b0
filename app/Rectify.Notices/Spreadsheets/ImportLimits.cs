using System.IO.Compression;

namespace Rectify.Notices.Spreadsheets;

/// <summary>
/// How large an imported .xlsx may be, checked before it is parsed: an .xlsx is a zip, and a 1.5 MB file can unpack to
/// a sheet of hundreds of MB. The parts are inflated once, counting bytes and stopping at the limit, so a lying zip
/// directory does not help; rows and columns are counted while reading the sheet.
/// </summary>
public static class ImportLimits
{
    public const long MaxFileBytes = 10 * 1024 * 1024;
    /// <summary>The upload request: the file plus the form's fields.</summary>
    public const long MaxRequestBytes = MaxFileBytes + 64 * 1024;
    public const long MaxUncompressedBytes = 64 * 1024 * 1024;
    public const long MaxSharedStringBytes = 16 * 1024 * 1024;
    public const int MaxRows = 20_000;
    public const int MaxColumns = 50;
    /// <summary>Errors listed in a result; the rest are only counted.</summary>
    public const int MaxErrors = 100;

    /// <summary>Throws <see cref="ImportTooLargeException"/> when the file or its parts are too large; leaves the stream at its start.</summary>
    public static void Check(Stream xlsx)
    {
        if (xlsx.Length > MaxFileBytes)
            throw new ImportTooLargeException($"文件超过 {MaxFileBytes / 1024 / 1024} MB，请拆分后分批导入。");
        try
        {
            using var zip = new ZipArchive(xlsx, ZipArchiveMode.Read, leaveOpen: true);
            var buffer = new byte[81920];
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                var limit = entry.FullName.EndsWith("sharedStrings.xml", StringComparison.OrdinalIgnoreCase) ? MaxSharedStringBytes : MaxUncompressedBytes;
                long size = 0;
                using var content = entry.Open();
                for (int read; (read = content.Read(buffer)) > 0;)
                {
                    size += read;
                    total += read;
                    if (size > limit || total > MaxUncompressedBytes)
                        throw new ImportTooLargeException($"文件解压后超过 {MaxUncompressedBytes / 1024 / 1024} MB（或共享文本超过 {MaxSharedStringBytes / 1024 / 1024} MB），请拆分后分批导入。");
                }
            }
        }
        catch (InvalidDataException)
        {
            // Not a zip: the parser says so in its own words.
        }
        finally
        {
            xlsx.Position = 0;
        }
    }
}

/// <summary>An import refused for its size before or while reading; the message is for the page (Chinese).</summary>
public sealed class ImportTooLargeException(string message) : Exception(message);
