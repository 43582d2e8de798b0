using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rectify.Data;

namespace Rectify.Templating;

/// <summary>
/// The newest saved version of every edited template, parsed, for the renderers of mail and notices (they fall back
/// to the shipped files for templates never edited). Refreshed after a save in this process and whenever a node's
/// mail sender polls (one MAX(Id) query), so another node's save is in use on the next poll.
/// </summary>
public sealed class SavedTemplates(ILogger<SavedTemplates> logger)
{
    public const string SubjectPart = "subject";
    public const string HtmlPart = "html";
    public const string TextPart = "txt";

    private volatile Snapshot _current = new(0, new Dictionary<string, Saved>());

    /// <summary>A saved version and its parsed parts (subject, html, txt).</summary>
    public sealed record Saved(int VersionId, IReadOnlyDictionary<string, LiquidTemplate> Parts);

    private sealed record Snapshot(int LatestId, IReadOnlyDictionary<string, Saved> Templates);

    /// <summary>The part of the newest saved version of <paramref name="template"/> (mail/reminder …), if one was saved.</summary>
    public bool TryGet(string template, string part, out LiquidTemplate parsed)
    {
        parsed = null!;
        return _current.Templates.TryGetValue(template, out var saved) && saved.Parts.TryGetValue(part, out parsed!);
    }

    public async Task RefreshAsync(RectifyDb db, CancellationToken ct = default)
    {
        var versions = db.Set<TemplateVersion>().AsNoTracking();
        var latest = await versions.MaxAsync(v => (int?)v.Id, ct) ?? 0;
        if (latest == _current.LatestId)
            return;
        var newest = await versions.Where(v => v.Id == versions.Where(w => w.Template == v.Template).Max(w => w.Id)).ToListAsync(ct);
        var templates = new Dictionary<string, Saved>(StringComparer.OrdinalIgnoreCase);
        foreach (var version in newest)
        {
            var parts = new Dictionary<string, LiquidTemplate>(StringComparer.OrdinalIgnoreCase);
            foreach (var (part, source) in Parts(version))
            {
                // Saving refuses templates that do not parse, so this only happens after a change of engine.
                if (LiquidTemplate.TryParse(source, $"{version.Template}.{part}", out var parsed, out var error))
                    parts[part] = parsed;
                else
                    logger.LogError("Saved template {Template} version {Id} does not parse: {Error}; the shipped file is used.", version.Template, version.Id, error);
            }
            templates[version.Template] = new Saved(version.Id, parts);
        }
        _current = new Snapshot(latest, templates);
    }

    /// <summary>The parts a version has: subject, html and txt for mail, html for a notice.</summary>
    public static IEnumerable<(string Part, string Source)> Parts(TemplateVersion version)
    {
        if (version.Subject is { } subject)
            yield return (SubjectPart, subject);
        yield return (HtmlPart, version.Html);
        if (version.Text is { } text)
            yield return (TextPart, text);
    }
}
