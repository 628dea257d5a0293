using System.Diagnostics;
using System.Text;

namespace Hub.Tests.Support;

/// <summary>
/// A program nobody here wrote (rsyslogd, syslog-ng) running beside a test until the test stops it, as a service manager
/// would (SIGTERM, bounded in time); what it prints is kept for a failing test's message. Disposing kills it if still running.
/// </summary>
public sealed class BackgroundProcess : IAsyncDisposable
{
    // A daemon flushing its queues on SIGTERM takes well under a second; a loaded 2-core machine is slower.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BackgroundProcess(Process process) => _process = process;

    /// <summary>Everything it printed so far, standard output and error interleaved.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static BackgroundProcess Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = new Process { StartInfo = start };
        var background = new BackgroundProcess(process);
        process.OutputDataReceived += (_, line) => background.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => background.Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return background;
    }

    /// <summary>Stops it with SIGTERM and waits for it to exit; its exit code (a clean stop is 0).</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
            using (var term = Process.Start("kill", ["-TERM", $"{_process.Id}"])) await term.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{_process.StartInfo.FileName} did not stop within {StopTimeout} of SIGTERM:\n{Output}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(StopTimeout);
            await _process.WaitForExitAsync(timeout.Token);
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
