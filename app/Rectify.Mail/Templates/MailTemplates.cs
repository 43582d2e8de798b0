using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rectify.Templating;

namespace Rectify.Mail.Templates;

/// <summary>A template file that did not parse: the file, where, and the parser's message.</summary>
public sealed record TemplateProblem(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}({Line},{Column}): {Message}";
}

/// <summary>
/// The mail templates of templates/mail, parsed at start and again whenever a file changes. Each template
/// <c>name</c> has three parts: <c>name.subject.liquid</c>, <c>name.html.liquid</c> and <c>name.txt.liquid</c>.
/// A file that does not parse is reported (file, line, column) and its last good version stays in use.
/// </summary>
public sealed class MailTemplates : IDisposable
{
    public const string SubjectPart = "subject";
    public const string HtmlPart = "html";
    public const string TextPart = "txt";
    private static readonly string[] Parts = [SubjectPart, HtmlPart, TextPart];

    private readonly ILogger<MailTemplates> _logger;
    private readonly Lock _gate = new();
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer _debounce;
    private Dictionary<string, LiquidTemplate> _parsed = new(StringComparer.OrdinalIgnoreCase);
    private IReadOnlyList<TemplateProblem> _problems = [];

    private readonly SavedTemplates? _saved;

    public MailTemplates(IOptions<MailOptions> options, ILogger<MailTemplates> logger, IHostEnvironment? environment = null, SavedTemplates? saved = null)
    {
        _logger = logger;
        _saved = saved;
        Directory = ResolveDirectory(options.Value.TemplatesDirectory, environment?.ContentRootPath);
        MailDirectory = Path.Combine(Directory, "mail");
        _debounce = new Timer(_ => Reload());
        Reload();
        // Without templates every message fails when sent: say so at start, where the operator looks.
        if (_parsed.Count == 0)
            _logger.LogError("No mail templates in {Folder}: every message will fail. Set Mail:TemplatesDirectory to the folder holding mail/.", MailDirectory);
        else
            _logger.LogInformation("Mail templates from {Folder}", MailDirectory);
        if (System.IO.Directory.Exists(MailDirectory))
        {
            _watcher = new FileSystemWatcher(MailDirectory, "*.liquid") { IncludeSubdirectories = false };
            _watcher.Changed += (_, _) => ReloadSoon();
            _watcher.Created += (_, _) => ReloadSoon();
            _watcher.Deleted += (_, _) => ReloadSoon();
            _watcher.Renamed += (_, _) => ReloadSoon();
            _watcher.EnableRaisingEvents = true;
        }
    }

    /// <summary>The templates folder (the one holding mail/).</summary>
    public string Directory { get; }

    public string MailDirectory { get; }

    /// <summary>The templates that have all three parts, for the designer's dropdown.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            var parsed = _parsed;
            return parsed.Keys.Select(k => k[..k.IndexOf('.')]).Distinct(StringComparer.OrdinalIgnoreCase)
                .Where(n => Parts.All(p => parsed.ContainsKey($"{n}.{p}")))
                .Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The files that failed to parse at the last reload (empty when all are good).</summary>
    public IReadOnlyList<TemplateProblem> Problems => _problems;

    /// <summary>Raised after every reload, with the problems found.</summary>
    public event Action<IReadOnlyList<TemplateProblem>>? Reloaded;

    /// <summary>The part in use: the newest version saved on /templates, else the shipped file.</summary>
    public bool TryGet(string name, string part, out LiquidTemplate template) =>
        TryGetSaved(name, part, out template) || TryGetShipped(name, part, out template);

    public bool TryGetSaved(string name, string part, out LiquidTemplate template)
    {
        template = null!;
        return _saved?.TryGet(SavedName(name), part, out template) == true;
    }

    /// <summary>The part as the file in templates/mail has it (its last good version).</summary>
    public bool TryGetShipped(string name, string part, out LiquidTemplate template) =>
        _parsed.TryGetValue($"{name}.{part}", out template!);

    /// <summary>The name of a mail template among the saved ones: mail/NAME.</summary>
    public static string SavedName(string name) => "mail/" + name;

    /// <summary>Parses every file again; a file that fails keeps its last good version.</summary>
    public void Reload()
    {
        lock (_gate)
        {
            var next = new Dictionary<string, LiquidTemplate>(StringComparer.OrdinalIgnoreCase);
            var problems = new List<TemplateProblem>();
            var files = System.IO.Directory.Exists(MailDirectory)
                ? System.IO.Directory.GetFiles(MailDirectory, "*.liquid").Order(StringComparer.Ordinal)
                : Enumerable.Empty<string>();
            foreach (var path in files)
            {
                var fileName = Path.GetFileName(path);
                var key = fileName[..^".liquid".Length];
                if (!Parts.Any(p => key.EndsWith("." + p, StringComparison.OrdinalIgnoreCase)))
                    continue;
                if (TryRead(path) is not { } source)
                {
                    // Being written right now: keep the version we have; the watcher fires again when done.
                    if (_parsed.TryGetValue(key, out var current))
                        next[key] = current;
                    continue;
                }
                if (LiquidTemplate.TryParse(source, fileName, out var template, out var error))
                {
                    next[key] = template;
                    continue;
                }
                var problem = new TemplateProblem(fileName, error.Line, error.Column, error.Message);
                problems.Add(problem);
                _logger.LogError("Mail template {File} line {Line} column {Column} does not parse: {Message}; the last good version stays in use.",
                    problem.File, problem.Line, problem.Column, problem.Message);
                if (_parsed.TryGetValue(key, out var lastGood))
                    next[key] = lastGood;
            }
            _parsed = next;
            _problems = problems;
        }
        Reloaded?.Invoke(_problems);
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce.Dispose();
    }

    // Editors write a file in several steps; parse once they are done.
    private void ReloadSoon() => _debounce.Change(TimeSpan.FromMilliseconds(200), Timeout.InfiniteTimeSpan);

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The configured folder, else the nearest folder above the app (or its content root) that has templates/mail.</summary>
    internal static string ResolveDirectory(string? configured, string? contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return Path.GetFullPath(configured, contentRoot ?? System.IO.Directory.GetCurrentDirectory());
        foreach (var start in new[] { contentRoot, AppContext.BaseDirectory, System.IO.Directory.GetCurrentDirectory() })
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "templates");
                if (System.IO.Directory.Exists(Path.Combine(candidate, "mail")))
                    return candidate;
            }
        }
        return Path.GetFullPath("templates", contentRoot ?? AppContext.BaseDirectory);
    }
}
