using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Rectify.Captures;

/// <summary>
/// The readable text of a fetched page, and how much of one text another still contains. Government sites still
/// serve GBK/GB2312, so the charset comes from the Content-Type header or the page's own meta tag.
/// </summary>
public static partial class PageText
{
    static PageText() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The page's text: scripts, styles and tags removed, entities decoded, whitespace collapsed per line.</summary>
    public static string Extract(byte[] body, string contentType)
    {
        var html = Decode(body, contentType);
        try
        {
            html = Invisible().Replace(html, " ");
        }
        catch (RegexMatchTimeoutException)
        {
            // Thousands of unclosed <script> tags make the lazy scan quadratic; their words then stay in the text.
        }
        html = BlockEnd().Replace(html, "\n");
        html = Tag().Replace(html, " ");
        var text = WebUtility.HtmlDecode(html);
        var lines = text.Split('\n').Select(l => Spaces().Replace(l, " ").Trim()).Where(l => l.Length > 0);
        return string.Join('\n', lines);
    }

    /// <summary>
    /// The share (0–1) of <paramref name="captured"/>'s character trigrams that <paramref name="now"/> still has,
    /// whitespace ignored: 1 when the page kept everything (additions do not count against it), 0 when nothing is left.
    /// Trigrams, not words, because Chinese is not written with spaces.
    /// </summary>
    public static double Containment(string captured, string now)
    {
        var before = Trigrams(captured);
        if (before.Count == 0)
            return 1;
        var after = Trigrams(now);
        return (double)before.Count(after.Contains) / before.Count;
    }

    private static HashSet<string> Trigrams(string text)
    {
        var compact = Spaces().Replace(text, "");
        var grams = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 3 <= compact.Length; i++)
            grams.Add(compact.Substring(i, 3));
        if (grams.Count == 0 && compact.Length > 0)
            grams.Add(compact);
        return grams;
    }

    private static string Decode(byte[] body, string contentType)
    {
        var charset = Charset().Match(contentType) is { Success: true } header
            ? header.Groups[1].Value
            : Charset().Match(Encoding.ASCII.GetString(body, 0, Math.Min(body.Length, 4096))) is { Success: true } meta ? meta.Groups[1].Value : "utf-8";
        Encoding encoding;
        try
        {
            encoding = Encoding.GetEncoding(charset.Trim('"', '\''));
        }
        catch (ArgumentException)
        {
            encoding = Encoding.UTF8;
        }
        return encoding.GetString(body);
    }

    [GeneratedRegex(@"charset\s*=\s*[""']?([A-Za-z0-9_\-]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Charset();

    [GeneratedRegex(@"<(script|style|noscript|template|svg)\b[^>]*>.*?</\1\s*>|<!--.*?-->", RegexOptions.IgnoreCase | RegexOptions.Singleline, matchTimeoutMilliseconds: 5000)]
    private static partial Regex Invisible();

    [GeneratedRegex(@"<(br|/p|/div|/li|/tr|/h[1-6]|/title|/table|/section|/article)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnd();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
