using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Rectify.Templating;
using Rectify.Time;

namespace Rectify.Notices;

/// <summary>
/// Renders the Liquid templates of templates/notice with the shared Liquid renderer, with limits so an edited
/// template cannot run away. Templates are parsed once and re-parsed when the file changes, so an office can adjust
/// the wording without a release.
/// </summary>
public sealed class NoticeTemplates
{
    // The notice content is plain data; these are all the types a notice template may read.
    private static readonly ViewModelTypes Types = new(
        typeof(NoticeContent), typeof(BasicFigures), typeof(CategoryCount), typeof(UnitFindings), typeof(FindingLine),
        typeof(CompletionRow), typeof(ContactRow));

    // A notice lists every finding of a period, so loops may be long; the output of a large notice is a few hundred KB.
    private static readonly RenderLimits Limits = new()
    {
        MaxIterations = 100_000, MaxDepth = 20, MaxOutputCharacters = 5_000_000, Timeout = TimeSpan.FromSeconds(20),
    };

    private readonly LiquidRenderer _renderer;
    private readonly ConcurrentDictionary<string, (DateTime Written, LiquidTemplate Template)> _cache = new();

    public string Directory { get; }

    private readonly SavedTemplates? _saved;

    public NoticeTemplates(IConfiguration configuration, OfficeClock clock, TimeProvider time, SavedTemplates? saved = null)
    {
        _saved = saved;
        Directory = configuration["Rectify:NoticeTemplates"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "templates", "notice");
        _renderer = new LiquidRenderer(Types, clock.Zone, time);
    }

    /// <summary>
    /// Renders a template as HTML: values are encoded, except those the template marks with <c>raw</c>. The newest
    /// version saved on /templates is used, else the file; a saved version that fails on this data gives way to the file.
    /// </summary>
    public string Render(string name, IReadOnlyDictionary<string, object?> model)
    {
        if (_saved?.TryGet(SavedName(name), SavedTemplates.HtmlPart, out var saved) == true)
        {
            try
            {
                return _renderer.Render(saved, model, RenderMode.Html, Limits);
            }
            catch (TemplateRuntimeException)
            {
                // The file is the last version known good.
            }
        }
        return Render(Load(name), model);
    }

    /// <summary>Renders the given template (e.g. an edit being previewed) with the same limits.</summary>
    public string Render(LiquidTemplate template, IReadOnlyDictionary<string, object?> model)
    {
        try
        {
            return _renderer.Render(template, model, RenderMode.Html, Limits);
        }
        catch (TemplateException e)
        {
            throw new InvalidOperationException($"Notice template {template}: {e.Message}", e);
        }
    }

    /// <summary>The name of a notice template among the saved ones: notice/NAME (notice.liquid → notice/notice).</summary>
    public static string SavedName(string file) => "notice/" + Path.GetFileNameWithoutExtension(file);

    /// <summary>A plain-text default (e.g. the requirements) kept beside the templates.</summary>
    public string ReadText(string name) =>
        File.Exists(Path.Combine(Directory, name)) ? File.ReadAllText(Path.Combine(Directory, name)).Trim() : "";

    private LiquidTemplate Load(string name)
    {
        var path = Path.Combine(Directory, name);
        var written = File.GetLastWriteTimeUtc(path);
        if (_cache.TryGetValue(name, out var cached) && cached.Written == written)
            return cached.Template;
        if (!File.Exists(path))
            throw new FileNotFoundException($"Notice template {name} is missing in {Directory}.", path);
        if (!LiquidTemplate.TryParse(File.ReadAllText(path), name, out var template, out var error))
            throw new InvalidOperationException($"Notice template {error}");
        _cache[name] = (written, template);
        return template;
    }
}
