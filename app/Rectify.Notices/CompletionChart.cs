using System.Globalization;
using System.Security;
using System.Text;

namespace Rectify.Notices;

/// <summary>
/// The dashboard's chart of each unit's completion rate across issued notices, as inline SVG (no script, no CDN):
/// one line per unit, notices along the x axis oldest first, 0–100 % up the y axis.
/// </summary>
public static class CompletionChart
{
    private static readonly string[] Palette =
        ["#c0392b", "#2471a3", "#229954", "#d68910", "#7d3c98", "#17a589", "#a04000", "#2e4053", "#b03a2e", "#1f618d"];

    public static string Svg(CompletionSeries series, IReadOnlyCollection<int>? unitIds = null, int width = 760, int height = 320)
    {
        var units = series.Units.Where(u => unitIds is null || unitIds.Contains(u.UnitId)).ToList();
        const int left = 48, top = 16, bottom = 56;
        var legendWidth = units.Count > 0 ? 150 : 0;
        var plotWidth = width - left - legendWidth - 16;
        var plotHeight = height - top - bottom;
        var n = series.Notices.Count;
        // Points stay clear of the edges so the notice numbers under them are not cut off.
        const int inset = 56;
        double X(int i) => left + (n <= 1 ? plotWidth / 2.0 : inset + i * (plotWidth - 2 * inset) / (double)(n - 1));
        double Y(double rate) => top + plotHeight * (1 - rate / 100.0);
        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"各单位整改完成率\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-size=\"12\" font-family=\"sans-serif\">");
        foreach (var tick in new[] { 0, 25, 50, 75, 100 })
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{left + plotWidth}\" y1=\"{F(Y(tick))}\" y2=\"{F(Y(tick))}\" stroke=\"#ddd\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{F(Y(tick) + 4)}\" text-anchor=\"end\" fill=\"#555\">{tick}%</text>");
        }
        for (var i = 0; i < n; i++)
        {
            var notice = series.Notices[i];
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(i))}\" y=\"{height - bottom + 18}\" text-anchor=\"middle\" fill=\"#555\">{Escape(notice.Number)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(i))}\" y=\"{height - bottom + 34}\" text-anchor=\"middle\" fill=\"#888\">{notice.Date:yyyy-MM-dd}</text>");
        }
        if (n == 0)
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + plotWidth / 2}\" y=\"{top + plotHeight / 2}\" text-anchor=\"middle\" fill=\"#888\">尚无已印发的通报</text>");

        var index = series.Notices.Select((x, i) => (x.Id, i)).ToDictionary(x => x.Id, x => x.i);
        for (var u = 0; u < units.Count; u++)
        {
            var unit = units[u];
            var color = Palette[u % Palette.Length];
            var points = unit.Points.Where(p => index.ContainsKey(p.NoticeId)).Select(p => (X: X(index[p.NoticeId]), Y: Y(p.Rate), p.Rate)).ToList();
            svg.Append(CultureInfo.InvariantCulture, $"<g><title>{Escape(unit.UnitName)}</title>");
            if (points.Count > 1)
                svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', points.Select(p => $"{F(p.X)},{F(p.Y)}"))}\"/>");
            foreach (var p in points)
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(p.X)}\" cy=\"{F(p.Y)}\" r=\"3.5\" fill=\"{color}\"><title>{Escape(unit.UnitName)} {F(p.Rate)}%</title></circle>");
            var legendY = top + 4 + u * 18;
            if (legendY < height - 8)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{width - legendWidth}\" y=\"{legendY}\" width=\"12\" height=\"12\" fill=\"{color}\"/>");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - legendWidth + 18}\" y=\"{legendY + 10}\" fill=\"#333\">{Escape(unit.UnitName)}</text>");
            }
            svg.Append("</g>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
