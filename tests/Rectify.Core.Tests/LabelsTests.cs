using Rectify.Common;
using Rectify.Findings;
using Rectify.Reports;
using Xunit;

namespace Rectify.Core.Tests;

/// <summary>Every status and decision has a Chinese and an English label, and no two values of one kind share a word.</summary>
public sealed class LabelsTests
{
    private static void AllLabelled<T>(Func<T, Label> label) where T : struct, Enum
    {
        var labels = Enum.GetValues<T>().Select(v => (Value: v, Label: label(v))).ToList();
        Assert.All(labels, l =>
        {
            Assert.Matches(@"^\p{IsCJKUnifiedIdeographs}+$", l.Label.Zh);
            Assert.Matches("^[A-Z][a-z ]+$", l.Label.En);
        });
        Assert.Equal(labels.Count, labels.Select(l => l.Label.Zh).Distinct().Count());
        Assert.Equal(labels.Count, labels.Select(l => l.Label.En).Distinct().Count());
    }

    [Fact]
    public void Every_value_has_both_labels()
    {
        AllLabelled<FindingStatus>(s => s.Label());
        AllLabelled<Severity>(s => s.Label());
        AllLabelled<ReviewDecision>(d => d.Label());
        AllLabelled<ExtensionDecision>(d => d.Label());
        Assert.Equal(("全部整改", "部分整改"), (Labels.Completeness(true).Zh, Labels.Completeness(false).Zh));
        Assert.Equal(("Fully rectified", "Partly rectified"), (Labels.Completeness(true).En, Labels.Completeness(false).En));
    }

    [Fact]
    public void A_label_is_english_for_english_readers_and_chinese_otherwise()
    {
        var label = ExtensionDecision.Denied.Label();
        Assert.Equal("不予批准", label.In(new System.Globalization.CultureInfo("zh-CN")));
        Assert.Equal("Denied", label.In(new System.Globalization.CultureInfo("en-GB")));
        Assert.Equal("不予批准", label.In(System.Globalization.CultureInfo.InvariantCulture));
    }
}
