namespace Rectify.Notices;

/// <summary>
/// What differs between the previewed notice and the same notice composed again at its cut-off, one Chinese line per
/// change, so the auditor sees why issuing was refused before recomposing.
/// </summary>
public static class NoticeDifferences
{
    public static List<string> Between(NoticeContent preview, NoticeContent now)
    {
        var changes = new List<string>();
        Findings(changes, "本期问题", preview.NewFindings, now.NewFindings);
        Findings(changes, "回头看（未按时整改到位）", preview.FollowUpNotRectified, now.FollowUpNotRectified);
        Findings(changes, "回头看（未按时提交整改报告）", preview.FollowUpNoReport, now.FollowUpNoReport);

        var before = preview.Completion.ToDictionary(r => r.UnitId);
        var after = now.Completion.ToDictionary(r => r.UnitId);
        foreach (var unitId in before.Keys.Union(after.Keys))
        {
            before.TryGetValue(unitId, out var b);
            after.TryGetValue(unitId, out var a);
            if (b is null || a is null || Figures(b) != Figures(a))
                changes.Add($"整改完成情况 {(a ?? b)!.UnitName}：{Describe(b)} → {Describe(a)}");
        }
        if (changes.Count == 0 && !Same(preview.Contacts, now.Contacts))
            changes.Add("责任人联系表有变化");
        if (changes.Count == 0 && !Same(preview, now))
            changes.Add("单位名称、问题类别或其他引用的数据有变化");
        return changes;
    }

    private static void Findings(List<string> changes, string section, List<UnitFindings> before, List<UnitFindings> after)
    {
        var was = Lines(before);
        var @is = Lines(after);
        foreach (var (id, line) in @is.Where(x => !was.ContainsKey(x.Key)))
            changes.Add($"{section}新增：{line.Unit} {line.Line.Description}");
        foreach (var (id, line) in was.Where(x => !@is.ContainsKey(x.Key)))
            changes.Add($"{section}不再列入：{line.Unit} {line.Line.Description}");
        foreach (var (id, line) in @is.Where(x => was.ContainsKey(x.Key)))
        {
            var old = was[id];
            if (!Same(old.Line with { Index = 0 }, line.Line with { Index = 0 }) || old.Unit != line.Unit)
                changes.Add($"{section}内容有变化：{line.Unit} {line.Line.Description}");
        }
    }

    private static Dictionary<int, (string Unit, FindingLine Line)> Lines(List<UnitFindings> units) =>
        units.SelectMany(u => u.Findings.Select(f => (f.FindingId, (u.UnitName, f)))).ToDictionary(x => x.FindingId, x => x.Item2);

    private static (int, int, int, int, int) Figures(CompletionRow r) => (r.Findings, r.ReportsOnTime, r.Accepted, r.AcceptedOnTime, r.Overdue);

    private static string Describe(CompletionRow? r) => r is null
        ? "不在表中"
        : $"到期问题{r.Findings}个、已整改{r.Accepted}个、按时整改{r.AcceptedOnTime}个、逾期未整改{r.Overdue}个";

    private static bool Same<T>(T a, T b) =>
        System.Text.Json.JsonSerializer.Serialize(a, NoticeService.SnapshotJson) == System.Text.Json.JsonSerializer.Serialize(b, NoticeService.SnapshotJson);
}
