using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rectify.Mail;
using Rectify.Mail.Templates;
using Rectify.Notices;
using Rectify.Notices.Tests;
using Rectify.Time;

// Prints "name<TAB>microseconds per rendering" for every mail template (subject, HTML and text) and for the notice body
// and page, each the median of several timed batches after a warm-up. The models are those of TemplateGoldenTests,
// compiled in from the same commit, so an earlier commit is timed on the data it was written for.
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
// The golden folder beside the test's source file, where the test itself reads it (a caller-file path).
var golden = (string)typeof(TemplateGoldenTests).GetField("Golden", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));
var clock = new OfficeClock(time, Options.Create(new OfficeOptions()));

T Model<T>(string method, params object[] arguments) =>
    (T)typeof(TemplateGoldenTests).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, arguments)!;

var mailOptions = Options.Create(new MailOptions { TemplatesDirectory = Path.Combine(golden, "templates") });
using var mailTemplates = new MailTemplates(mailOptions, NullLogger<MailTemplates>.Instance);
var renderer = new TemplateRenderer(mailTemplates, mailOptions, clock, time);
foreach (var file in Directory.GetFiles(Path.Combine(golden, "templates", "mail"), "*.subject.liquid").Order(StringComparer.Ordinal))
{
    var name = Path.GetFileName(file)[..^".subject.liquid".Length];
    object model = name == "digest" ? Model<object>("Digest") : Model<object>("Mail", name);
    Report($"mail {name}", () => renderer.Render(name, model));
}

var configuration = new ConfigurationBuilder()
    .AddInMemoryCollection(new Dictionary<string, string?> { ["Rectify:NoticeTemplates"] = Path.Combine(golden, "templates", "notice") }).Build();
var noticeTemplates = new NoticeTemplates(configuration, clock, time);
var content = Model<NoticeContent>("Notice");
var body = noticeTemplates.Render("notice.liquid", new Dictionary<string, object?> { ["n"] = content });
Report("notice body", () => noticeTemplates.Render("notice.liquid", new Dictionary<string, object?> { ["n"] = content }));
Report("notice page", () => noticeTemplates.Render("notice-page.liquid", new Dictionary<string, object?> { ["n"] = content, ["body"] = body }));
return 0;

void Report(string name, Func<object> render)
{
    const int batch = 200;
    for (var i = 0; i < batch; i++)
        render();
    var samples = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < batch; i++)
            render();
        samples.Add(watch.Elapsed.TotalMicroseconds / batch);
    }
    samples.Sort();
    Console.WriteLine($"{name}\t{samples[samples.Count / 2]:0.0}");
}
