namespace Rectify.Notices;

/// <summary>The "Notices" settings: the 版头 of the official document and the optional PDF conversion.</summary>
public sealed class NoticeOptions
{
    /// <summary>Print the 版头 (red 发文机关标志, 发文字号, red separator line); off for offices that publish on the web only.</summary>
    public bool Letterhead { get; set; } = true;

    /// <summary>The 发文机关标志, e.g. "XX区人民政府办公室文件"; empty: the notice's 发文机关 as typed on the draft.</summary>
    public string LetterheadMark { get; set; } = "";

    /// <summary>The red of the 标志 and the separator line (RRGGBB).</summary>
    public string LetterheadColor { get; set; } = "FF0000";

    /// <summary>LibreOffice's soffice, for the PDF of a notice: a path, or a name looked up on PATH. No PDF without it.</summary>
    public string LibreOffice { get; set; } = "soffice";

    /// <summary>How long one conversion to PDF may take.</summary>
    public TimeSpan PdfTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>LibreOffice conversions running at once (each soffice takes a few hundred MB).</summary>
    public int PdfConversions { get; set; } = 1;

    /// <summary>Documents that may wait for a free conversion; one more is refused at once (notice.pdf_busy).</summary>
    public int PdfMaxWaiting { get; set; } = 8;

    /// <summary>How long a document waits for a free conversion before it is refused (notice.pdf_busy).</summary>
    public TimeSpan PdfWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
