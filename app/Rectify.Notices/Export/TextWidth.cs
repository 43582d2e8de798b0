namespace Rectify.Notices;

/// <summary>
/// Widths of text in ems of its font size, estimated for layout decisions made before any renderer runs (title line
/// breaks, table column widths, the date under the signature). Chinese characters and full-width punctuation are one
/// em; Latin letters and digits are estimated on the wide side (the fallback serif fonts are wider than Times), so a
/// width fitted from them never makes a renderer break a phone number or an e-mail address.
/// </summary>
public static class TextWidth
{
    public static double Ems(string text) => text.Sum(Ems);

    public static double Ems(char c) => c switch
    {
        >= '0' and <= '9' => 0.64,
        '@' => 1.0,
        'm' or 'w' or 'M' or 'W' => 0.95,
        >= 'a' and <= 'z' => 0.62,
        >= 'A' and <= 'Z' => 0.74,
        '.' or ',' or ':' or ';' or '\'' or '|' or '!' or 'i' or 'l' => 0.36,
        ' ' => 0.32,
        '-' or '/' or '(' or ')' or '_' => 0.5,
        < '\u2E80' => 0.64,
        _ => 1.0,
    };

    /// <summary>
    /// The widest run of a text that no renderer may break: a phone number, an e-mail address, a URL or a Latin word
    /// (any run without a space or a Chinese character).
    /// </summary>
    public static double LongestUnbreakableEms(string text)
    {
        double longest = 0, run = 0;
        foreach (var c in text)
        {
            if (c < '\u2E80' && !char.IsWhiteSpace(c))
                run += Ems(c);
            else
            {
                longest = Math.Max(longest, run);
                run = 0;
            }
        }
        return Math.Max(longest, run);
    }
}
