namespace Rectify.Reports;

/// <summary>
/// A full disk (or quota) while writing is told apart from other I/O errors and answered <c>storage.full</c>
/// (507, Chinese on the page) rather than a generic server error.
/// </summary>
public static class StorageFull
{
    // ENOSPC and EDQUOT on Linux (the errno is the HResult there); ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL on Windows.
    private static readonly int[] Codes = [28, 122, 0x27, 0x70];

    public static bool Is(Exception? e) => e is IOException && Codes.Contains(e.HResult & 0xFFFF) || e?.InnerException is { } inner && Is(inner);

    public static RectifyException Error() => new("storage.full",
        "服务器存储空间已满，本次提交未保存。请稍后重试，或联系管理员清理空间。",
        "The server's storage is full; nothing was saved. Retry later or ask an administrator to free space.",
        RectifyErrorKind.Unavailable);
}
