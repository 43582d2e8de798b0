namespace Rectify.Notices;

/// <summary>
/// Breaks a document title into lines as GB/T 9704 7.3.1 asks: whole words on each line, the lines of about equal
/// length (a trapezoid or diamond), never a word such as "通报" left alone on the last line. Breaks go after the
/// function words of a title (关于 …的 …) or its punctuation where one is near the balanced point, and never inside a
/// number, a Latin word or a bracketed document number.
/// </summary>
public static class TitleLines
{
    // Breaking after these keeps words whole: "关于", "的", "和", "及" … end a phrase in titles.
    private const string PreferredAfter = "于的和及与、，；）》〕”月";
    // Words a title's phrases start with; a break before one keeps the words on both sides whole.
    private static readonly string[] PreferredBefore = ["关于", "政务", "政府", "工作", "情况", "检查", "开展", "全区", "全市", "全县", "考评", "整改", "专项"];
    // Words never broken, though a phrase boundary seems to fall inside them.
    private static readonly string[] Whole = ["人民政府", "办公室", "政务公开", "政府网站", "新媒体", "通报", "月份", "年度"];
    private const string NoLineStart = "、，。；：！？）》〕”’．份度";
    private const string NoLineEnd = "（《〔“‘";
    // A break off a phrase boundary costs as much as this much imbalance (in characters).
    private const double OffBoundary = 4;

    public static List<string> Split(string title, double maxEms)
    {
        var total = TextWidth.Ems(title);
        if (total <= maxEms)
            return [title];
        var count = (int)Math.Ceiling(total / maxEms);
        var lines = new List<string>();
        var start = 0;
        for (var k = 1; k < count; k++)
        {
            // The balanced point of the remaining text among the remaining lines.
            var rest = title[start..];
            var target = TextWidth.Ems(rest) / (count - k + 1);
            var best = -1;
            var bestScore = double.MaxValue;
            double width = 0;
            for (var i = start + 1; i < title.Length; i++)
            {
                width += TextWidth.Ems(title[i - 1]);
                if (width > maxEms)
                    break;
                if (!CanBreak(title, i))
                    continue;
                var score = Math.Abs(width - target) + (AtBoundary(title, i) ? 0 : OffBoundary);
                if (score < bestScore)
                {
                    bestScore = score;
                    best = i;
                }
            }
            if (best < 0)
                break;
            lines.Add(title[start..best]);
            start = best;
        }
        lines.Add(title[start..]);
        return lines;
    }

    private static bool AtBoundary(string text, int i) =>
        PreferredAfter.Contains(text[i - 1]) || PreferredBefore.Any(w => string.CompareOrdinal(text, i, w, 0, w.Length) == 0);

    private static bool CanBreak(string text, int i)
    {
        // An occurrence starting less than its length before the break spans it.
        if (Whole.Any(w => text.IndexOf(w, Math.Max(0, i - w.Length + 1), StringComparison.Ordinal) is var at && at >= 0 && at < i))
            return false;
        char before = text[i - 1], after = text[i];
        if (NoLineStart.Contains(after) || NoLineEnd.Contains(before))
            return false;
        // Inside a number or a Latin word, between a number and its unit (2026年, 12号), or within 〔2026〕12号.
        return !(before < '\u2E80' && after < '\u2E80') && !char.IsAsciiDigit(before) && !(before == '〕' && char.IsAsciiDigit(after));
    }
}
