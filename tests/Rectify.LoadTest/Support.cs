using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace Rectify.LoadTest;

internal static class RepoRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rectify.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Run from inside the Rectify repository.");
    }
}

/// <summary>The real app, Release build, as its own process so that its memory is measured alone.</summary>
internal sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;

    private AppProcess(Process process, string baseUrl, TimeSpan startupTime)
    {
        _process = process;
        BaseUrl = baseUrl;
        StartupTime = startupTime;
    }

    public string BaseUrl { get; }
    public TimeSpan StartupTime { get; }

    public static async Task<AppProcess> StartAsync(string dll, string repo, string dataDir)
    {
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: dotnet build app/Rectify.Web -c Release first.");
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        // A published build runs in Production, which seeds nothing unless asked: the load signs in as demo users.
        var info = new ProcessStartInfo("dotnet", [dll, "--demo", "--urls", baseUrl, "--Rectify:DataDirectory", dataDir,
            "--Logging:LogLevel:Default", "Warning"])
        {
            WorkingDirectory = repo,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var watch = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the app exited with {process.ExitCode}");
            try
            {
                if ((await http.GetAsync($"{baseUrl}/health")).IsSuccessStatusCode)
                    break;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        return new AppProcess(process, baseUrl, watch.Elapsed);
    }

    /// <summary>CPU time the server has used so far (all its threads): per request it is the cost that, unlike
    /// latency, hardly depends on what else the machine is running.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public (double RssMb, double PeakMb) Memory()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        double Kb(string key) => double.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (Kb("VmRSS:") / 1024, Kb("VmHWM:") / 1024);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A signed-in session: the load connections reuse its cookie.</summary>
internal sealed record Client(HttpClient Http, CookieContainer Cookies)
{
    public static async Task<Client> SignInAsync(string baseUrl, string user, string password)
    {
        var cookies = new CookieContainer();
        var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies }) { BaseAddress = new Uri(baseUrl) };
        var response = await http.PostAsJsonAsync("/api/auth/login", new { userName = user, password });
        response.EnsureSuccessStatusCode();
        return new Client(http, cookies);
    }
}

internal sealed record LoadResult(int Count, int Errors, TimeSpan Duration, double P50, double P95, double P99)
{
    public double PerSecond => Count / Duration.TotalSeconds;

    public static LoadResult Of(List<double> milliseconds, int errors, TimeSpan duration)
    {
        var sorted = milliseconds.Order().ToList();
        double P(double quantile) => sorted.Count == 0
            ? double.NaN
            : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];
        return new LoadResult(sorted.Count, errors, duration, P(0.50), P(0.95), P(0.99));
    }
}

internal static class Load
{
    /// <summary>Closed loop: each connection sends its next request when the previous answer is in.</summary>
    public static async Task<LoadResult> RunAsync(string baseUrl, CookieContainer cookies, Func<Random, string> url, int connections, TimeSpan duration)
    {
        var handler = new SocketsHttpHandler { CookieContainer = cookies, MaxConnectionsPerServer = connections };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };
        var latencies = new List<double>();
        var errors = 0;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(async worker =>
        {
            var random = new Random(worker);
            var mine = new List<double>();
            while (watch.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(url(random), HttpCompletionOption.ResponseContentRead);
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound)
                    mine.Add(ms);
                else
                    Interlocked.Increment(ref errors);
            }
            lock (latencies)
                latencies.AddRange(mine);
        });
        await Task.WhenAll(workers);
        return LoadResult.Of(latencies, errors, watch.Elapsed);
    }
}

/// <summary>
/// The same closed loop sent by wrk: a native client, far lighter than HttpClient, so on a 2-core machine the server
/// gets the CPU a remote load tool would leave it. The URLs are drawn in advance from the route's generator.
/// </summary>
internal static class Wrk
{
    public static bool IsInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, "wrk")));

    public static async Task<LoadResult> RunAsync(string baseUrl, CookieContainer cookies, Func<Random, string> url, int connections, TimeSpan duration)
    {
        var random = new Random(1);
        var paths = Enumerable.Range(0, 5000).Select(_ => url(random));
        var script = Path.GetTempFileName();
        // Each wrk thread starts at its own place in the list; done() prints the summary in milliseconds.
        await File.WriteAllTextAsync(script, $$"""
            local paths = { {{string.Join(",\n", paths.Select(p => $"\"{p}\""))}} }
            local i = 0
            function setup(thread) thread:set("offset", math.random(#paths)) end
            function init() i = tonumber(offset) or 0 end
            function request()
              i = i % #paths + 1
              return wrk.format("GET", paths[i])
            end
            function done(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("RESULT %d %d %d %.3f %.3f %.3f\n", summary.requests, summary.duration,
                e.connect + e.read + e.write + e.status + e.timeout,
                latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
            end
            """);
        try
        {
            var info = new ProcessStartInfo("wrk", ["-t2", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--timeout", "10s",
                "-H", $"Cookie: {cookies.GetCookieHeader(new Uri(baseUrl))}", "-s", script, baseUrl])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"wrk failed: {output}{error}");
            var f = line.Split(' ');
            return new LoadResult(int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture), TimeSpan.FromMicroseconds(long.Parse(f[2], CultureInfo.InvariantCulture)),
                double.Parse(f[4], CultureInfo.InvariantCulture), double.Parse(f[5], CultureInfo.InvariantCulture),
                double.Parse(f[6], CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(script);
        }
    }
}
