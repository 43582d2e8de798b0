using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;

namespace Rectify.Testing;

/// <summary>The repository this test assembly was built from.</summary>
public static class Repo
{
    public static string Root { get; } = typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RectifyRepoRoot").Value!;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}

/// <summary>
/// A real SMTP server on loopback: MailDev (npm, installed in tests/tools by the test command), started on free
/// ports, with its REST API to read what arrived. <see cref="StopAsync"/> and <see cref="StartAsync"/> take it
/// down and bring it back on the same ports, to test delivery while the server is away. Each server keeps its mail in
/// a folder of its own: by default every MailDev shares one (/tmp/maildev) and empties it when asked to delete its
/// mail, so one test's clean-up made another's server fail mails it was receiving (ENOENT on their .eml file).
/// A free port is only free until someone else binds it: other tests running beside this one open ports too, so a
/// new server whose port was taken in between starts again on two other free ports.
/// </summary>
public sealed class MailDevServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly string _mailDirectory = Path.Combine(Path.GetTempPath(), "rectify-maildev", Guid.NewGuid().ToString("N"));
    private readonly List<string> _errors = [];
    private Process? _process;

    private MailDevServer()
    {
        SmtpPort = FreePort();
        WebPort = FreePort();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int SmtpPort { get; }
    public int WebPort { get; }
    public bool IsRunning => _process is { HasExited: false };

    public static async Task<MailDevServer> StartNewAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = new MailDevServer();
            try
            {
                await server.StartAsync();
                return server;
            }
            catch (PortTakenException) when (attempt < 5)
            {
                await server.DisposeAsync();
            }
        }
    }

    public async Task StartAsync()
    {
        if (IsRunning)
            return;
        // MailDev 3 ships its command as dist/bin/maildev.js (package.json "bin").
        var script = Repo.Path("tests", "tools", "node_modules", "maildev", "dist", "bin", "maildev.js");
        if (!File.Exists(script))
            throw new InvalidOperationException($"MailDev is not installed: run `npm ci` in {Repo.Path("tests", "tools")} (the test command does).");
        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                script, "--smtp", SmtpPort.ToString(CultureInfo.InvariantCulture), "--web", WebPort.ToString(CultureInfo.InvariantCulture),
                "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--mail-directory", _mailDirectory,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["MAILDEV_WEB_IP"] = "127.0.0.1";
        lock (_errors)
            _errors.Clear();
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
                lock (_errors)
                    _errors.Add(text);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                // WaitForExit() with no timeout also waits for the redirected streams to be read to their end.
                _process.WaitForExit();
                string errors;
                lock (_errors)
                    errors = string.Join(Environment.NewLine, _errors);
                if (errors.Contains("EADDRINUSE", StringComparison.Ordinal))
                    throw new PortTakenException(errors);
                throw new InvalidOperationException($"MailDev exited at start with code {_process.ExitCode}: {errors}");
            }
            if (await AnswersAsync())
                return;
            if (DateTime.UtcNow > until)
                throw new TimeoutException("MailDev did not answer within 30 s.");
            await Task.Delay(100);
        }
    }

    /// <summary>Kills the server; SMTP connections to its port are refused until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
            return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _process = null;
    }

    public async Task<List<MailDevMessage>> GetMessagesAsync() =>
        await _http.GetFromJsonAsync<List<MailDevMessage>>("api/email", Json) ?? [];

    public async Task DeleteAllAsync() => (await _http.DeleteAsync("api/email/all")).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        if (Directory.Exists(_mailDirectory))
            Directory.Delete(_mailDirectory, recursive: true);
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var smtp = new TcpClient();
            await smtp.ConnectAsync(IPAddress.Loopback, SmtpPort);
            return (await _http.GetAsync("api/email")).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is SocketException or HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private sealed class PortTakenException(string errors) : Exception($"MailDev's port was taken: {errors}");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A message as MailDev's REST API lists it.</summary>
public sealed record MailDevMessage(
    string Id,
    string Subject,
    string? Text,
    string? Html,
    List<MailDevAddress> From,
    List<MailDevAddress> To,
    Dictionary<string, JsonElement>? Headers)
{
    public string? MessageId => Headers?.TryGetValue("message-id", out var id) == true ? id.GetString() : null;
}

public sealed record MailDevAddress(string Address, string? Name);
