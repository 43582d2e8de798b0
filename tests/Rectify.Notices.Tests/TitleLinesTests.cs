namespace Rectify.Notices.Tests;

/// <summary>Titles of the seeds broken as GB/T 9704 7.3.1 asks: balanced lines, words whole, none left alone.</summary>
public sealed class TitleLinesTests
{
    [Theory]
    [InlineData("关于2026年政务公开工作检查情况的通报", new[] { "关于2026年政务公开工作检查情况的通报" })]
    // 20 characters with the digits: too wide for one line once a fallback font widens the digits.
    [InlineData("关于2026年2月政务公开工作检查情况的通报", new[] { "关于2026年2月政务公开", "工作检查情况的通报" })]
    [InlineData("关于2026年3月政务公开、政府网站和政务新媒体工作检查情况的通报", new[] { "关于2026年3月政务公开、政府网站和", "政务新媒体工作检查情况的通报" })]
    [InlineData("弋江区人民政府办公室关于2021年8月份全区政府系统四送一服、政务信息和政务公开工作情况的通报",
        new[] { "弋江区人民政府办公室关于", "2021年8月份全区政府系统四送一服、", "政务信息和政务公开工作情况的通报" })]
    [InlineData("关于2022年政务公开、政府网站和政务新媒体半年工作考评情况的通报", new[] { "关于2022年政务公开、政府网站和", "政务新媒体半年工作考评情况的通报" })]
    public void A_title_breaks_into_balanced_lines_of_whole_words(string title, string[] expected)
    {
        var lines = TitleLines.Split(title, 19);

        Assert.Equal(expected, lines);
        Assert.Equal(title, string.Concat(lines));
        Assert.All(lines, l => Assert.InRange(TextWidth.Ems(l), 0, 19));
    }
}
