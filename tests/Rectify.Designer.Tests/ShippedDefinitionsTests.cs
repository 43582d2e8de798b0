using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rectify.Testing;
using Rectify.Web.Tests;
using Rectify.Workflows;

namespace Rectify.Designer.Tests;

/// <summary>The app started on a workflows/ folder holding the shipped definition, a file that is not JSON and one that does not validate.</summary>
public sealed class BadWorkflowFolderFactory : RectifyWebFactory
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("rectify-workflows-").FullName;
    public ConcurrentQueue<string> Errors { get; } = new();

    public BadWorkflowFolderFactory()
    {
        File.Copy(Repo.Path("workflows", "rectification.json"), Path.Combine(Folder, "rectification.json"));
        File.WriteAllText(Path.Combine(Folder, "broken.json"), "{ \"definitionId\": \"broken\", ");
        File.WriteAllText(Path.Combine(Folder, "unknown-step.json"), """
            {"definitionId":"unknown-step","version":1,"name":"x","root":{"type":"Elsa.Flowchart","id":"root",
             "activities":[{"id":"start","type":"Elsa.Start"},{"id":"http","type":"Elsa.HttpEndpoint"}],
             "connections":[{"source":{"activity":"start","port":"Done"},"target":{"activity":"http","port":"In"}}]}}
            """);
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = Folder };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(new Collector(Errors)));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // Called again by DisposeAsync.
        if (Directory.Exists(Folder))
            Directory.Delete(Folder, recursive: true);
    }

    private sealed class Collector(ConcurrentQueue<string> errors) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) errors.Enqueue(formatter(state, exception));
        }
        public void Dispose() { }
    }
}

public sealed class ShippedDefinitionsTests(BadWorkflowFolderFactory app) : IClassFixture<BadWorkflowFolderFactory>
{
    [Fact]
    public async Task Bad_files_in_the_workflows_folder_are_skipped_with_an_error_naming_them_and_the_app_starts()
    {
        var supervisor = await app.ClientAsync("supervisor");
        Assert.Equal(HttpStatusCode.OK, (await supervisor.GetAsync("/workflows")).StatusCode);
        var stored = await app.WithDbAsync(db => db.Set<WorkflowDefinitionVersion>().Select(v => v.DefinitionId).Distinct().ToListAsync());
        Assert.Equal(["rectification"], stored);
        Assert.Contains(app.Errors, e => e.Contains("broken.json"));
        Assert.Contains(app.Errors, e => e.Contains("unknown-step.json") && e.Contains("Elsa.HttpEndpoint"));
    }
}
