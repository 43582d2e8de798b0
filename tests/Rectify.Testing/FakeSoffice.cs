namespace Rectify.Testing;

/// <summary>
/// A stand-in for LibreOffice's soffice (set it as Notices:LibreOffice) that logs each conversion's start, holds it
/// until <see cref="Release"/>, logs its end and "converts" by copying the .docx: a test sees how many conversions
/// run at once from the converter itself, without timing.
/// </summary>
public sealed class FakeSoffice : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rectify-fake-soffice-").FullName;

    public FakeSoffice()
    {
        Program = Path.Combine(_directory, "soffice");
        // Called as NoticePdf calls soffice: … --outdir DIR SOURCE.
        File.WriteAllText(Program, $$"""
            #!/bin/sh
            for source; do :; done
            while [ "$1" != "--outdir" ]; do shift; done
            echo start >> "{{_directory}}/log"
            while [ ! -e "{{_directory}}/go" ]; do sleep 0.05; done
            echo end >> "{{_directory}}/log"
            cp "$source" "$2/notice.pdf"
            """);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Program { get; }

    /// <summary>Lets every held conversion, and every later one, finish.</summary>
    public void Release() => File.WriteAllText(Path.Combine(_directory, "go"), "");

    private string[] Log => File.Exists(Path.Combine(_directory, "log")) ? File.ReadAllLines(Path.Combine(_directory, "log")) : [];

    /// <summary>Conversions started so far.</summary>
    public int Started => Log.Count(l => l == "start");

    /// <summary>The most conversions that were running at one moment, from the log's starts and ends.</summary>
    public int MostAtOnce
    {
        get
        {
            int running = 0, most = 0;
            foreach (var line in Log)
                most = Math.Max(most, running += line == "start" ? 1 : -1);
            return most;
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
