using System.Diagnostics;
using System.Globalization;

namespace Rectify.Benchmarks;

/// <summary>
/// "templates" mode: rendering before and after the switch from DotLiquid to Scriban, in one run, on the same machine
/// and the same data. The harness tests/Rectify.TemplateTiming is built twice: here, and in a copy of the last commit
/// that rendered with DotLiquid (extracted with git archive, since DotLiquid is no longer in this solution). Both render
/// the frozen golden templates with the golden test's models; they run in turn, twice each, and each figure is the lower
/// of a build's two runs (the other load on the machine only ever adds time).
/// </summary>
public static class TemplateBenchmark
{
    /// <summary>The last commit whose templates were rendered by DotLiquid (its golden files are the expected output).</summary>
    public const string EngineBefore = "d45b100";

    public static int Run(string[] args)
    {
        var before = args.FirstOrDefault(a => a.StartsWith("--before=", StringComparison.Ordinal))?["--before=".Length..] ?? EngineBefore;
        var rounds = args.Skip(1).FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "15";
        var root = RepositoryRoot();
        var copy = Path.Combine(Path.GetTempPath(), $"rectify-templates-{before}");
        if (!File.Exists(Path.Combine(copy, "Rectify.sln")))
        {
            Directory.CreateDirectory(copy);
            Run("sh", "-c", $"git -C '{root}' archive {before} | tar -x -C '{copy}'");
        }
        var harness = Path.Combine("tests", "Rectify.TemplateTiming");
        CopyHarness(Path.Combine(root, harness), Path.Combine(copy, harness));

        Console.WriteLine($"building the harness at {before} (DotLiquid) and here (Scriban) …");
        var beforeDll = Build(Path.Combine(copy, harness), Path.Combine(copy, "out"));
        var afterDll = Build(Path.Combine(root, harness), Path.Combine(Path.GetTempPath(), "rectify-templates-here"));

        var timings = new Dictionary<string, (double Before, double After)>();
        for (var turn = 0; turn < 2; turn++)
        {
            foreach (var (name, micros) in Time(beforeDll, rounds))
            {
                var (best, after) = timings.GetValueOrDefault(name, (double.MaxValue, double.MaxValue));
                timings[name] = (Math.Min(best, micros), after);
            }
            foreach (var (name, micros) in Time(afterDll, rounds))
                timings[name] = (timings[name].Before, Math.Min(timings[name].After, micros));
        }

        Console.WriteLine($"{"template",-26}{"DotLiquid µs",14}{"Scriban µs",14}{"after/before",14}");
        foreach (var (name, (b, a)) in timings)
            Console.WriteLine($"{name,-26}{b,14:F1}{a,14:F1}{a / b,14:F2}");
        Console.WriteLine($"{"all, summed",-26}{timings.Values.Sum(t => t.Before),14:F1}{timings.Values.Sum(t => t.After),14:F1}{timings.Values.Sum(t => t.After) / timings.Values.Sum(t => t.Before),14:F2}");
        return 0;
    }

    private static IEnumerable<(string Name, double Micros)> Time(string dll, string rounds) =>
        Run("dotnet", dll, rounds).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(parts => (parts[0], double.Parse(parts[1], CultureInfo.InvariantCulture)));

    private static string Build(string project, string output)
    {
        Run("dotnet", "build", project, "-c", "Release", "-nologo", "-v", "q", "-clp:ErrorsOnly", "-o", output);
        return Path.Combine(output, "Rectify.TemplateTiming.dll");
    }

    private static void CopyHarness(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Rectify.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Rectify.sln not found above the benchmark");
    }

    private static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output
            : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}{error.Result}");
    }
}
