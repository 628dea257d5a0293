using System.Diagnostics;

namespace Hub.Faults.Cluster;

/// <summary>
/// One run of a program inside a network namespace (<c>ip netns exec</c>, which execs it: the process id is the
/// program's own, so signals reach it directly). Its output is appended to a log file that outlives restarts;
/// it counts as started once it printed its ready line.
/// </summary>
internal sealed class NamespacedProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly string _readyLine;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _logClosed;

    private NamespacedProcess(Process process, StreamWriter log, string readyLine)
    {
        _process = process;
        _log = log;
        _readyLine = readyLine;
    }

    public int Id => _process.Id;

    /// <summary>Completes with the exit code when the process ends, however it ends.</summary>
    public Task<int> Exited => _exited.Task;

    public static NamespacedProcess Start(string ns, string program, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment, string logFile, string readyLine)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["netns", "exec", ns, program, .. arguments]) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        log.WriteLine($"=== {DateTime.UtcNow:O} hub-faults starts {program} {string.Join(' ', arguments)} in {ns}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var running = new NamespacedProcess(process, log, readyLine);
        process.OutputDataReceived += (_, e) => running.Append(e.Data);
        process.ErrorDataReceived += (_, e) => running.Append(e.Data);
        process.Exited += (_, _) =>
        {
            running._ready.TrySetException(new InvalidOperationException($"{program} in {ns} exited before it was ready (see {logFile})"));
            running._exited.TrySetResult(process.ExitCode);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Waits for the ready line; throws when the process exits first or <paramref name="timeout"/> passes.</summary>
    public Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct) => _ready.Task.WaitAsync(timeout, ct);

    public bool Signal(int signal) => !_exited.Task.IsCompleted && Signals.Send(Id, signal);

    /// <summary>Waits for the process to end; false when it still runs after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_exited.Task.IsCompleted) Signals.Send(Id, Signals.Kill);
        _process.WaitForExit(5000);
        _process.Dispose();
        lock (_log)
        {
            _logClosed = true;
            _log.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (!_logClosed) _log.WriteLine(line);
        }
        if (line.Contains(_readyLine, StringComparison.Ordinal)) _ready.TrySetResult();
    }
}
