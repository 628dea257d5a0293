using System.Diagnostics;

namespace Hub.Faults.Cluster;

/// <summary>Runs short administrative commands (ip, redis-cli) to completion, bounded in time.</summary>
internal static class Commands
{
    /// <summary>No ip or netns operation takes long; one that hangs this long has failed.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs the command and throws with what it printed when it fails.</summary>
    public static string Run(string program, params string[] arguments)
    {
        var (exitCode, output, errors) = TryRun(program, arguments);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({exitCode}): {errors.Trim()}");
    }

    /// <summary>Runs the command and reports how it went; for clean-up steps that may find nothing to do.</summary>
    public static (int ExitCode, string Output, string Errors) TryRun(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {Timeout}");
        }
        return (process.ExitCode, output.Result, errors.Result);
    }

    /// <summary>True when <paramref name="program"/> is found on PATH.</summary>
    public static bool IsOnPath(string program) => (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, program)));
}
