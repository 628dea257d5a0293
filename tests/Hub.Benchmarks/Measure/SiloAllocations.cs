using System.Diagnostics;
using System.Globalization;

namespace Hub.Benchmarks.Measure;

/// <summary>
/// Bytes a silo's garbage collector allocated while a piece of load ran, read with dotnet-counters (the
/// runtime's dotnet.gc.heap.total_allocated counter over EventPipe), so the silo runs unchanged. dotnet-counters
/// reports the counter as bytes per one-second interval; their sum over a load's window is what it allocated,
/// the silo's idle allocations in the window included (about 50-70 KB/s, measured).
/// </summary>
public sealed class SiloAllocations : IAsyncDisposable
{
    private const string Counter = "dotnet.gc.heap.total_allocated";
    private static readonly TimeSpan SessionStartTimeout = TimeSpan.FromSeconds(30);
    /// <summary>dotnet-counters says it is starting before its EventPipe session delivers: give it this much more.</summary>
    private static readonly TimeSpan SessionWarmUp = TimeSpan.FromSeconds(2);
    /// <summary>Longer than one refresh interval, so the last interval of the load is reported.</summary>
    private static readonly TimeSpan LastInterval = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _collector;
    private readonly string _output;
    private bool _disposed;
    private List<(DateTime At, double Bytes)> _samples = [];

    private SiloAllocations(Process collector, string output)
    {
        _collector = collector;
        _output = output;
    }

    /// <summary>dotnet-counters on PATH or where `dotnet tool install -g` puts it; null when neither has it.</summary>
    public static string? Tool() =>
        (Environment.GetEnvironmentVariable("PATH")?.Split(':') ?? [])
            .Append(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools"))
            .Select(directory => Path.Combine(directory, "dotnet-counters"))
            .FirstOrDefault(File.Exists);

    /// <summary>Starts collecting from the silo and returns once the session is live.</summary>
    public static async Task<SiloAllocations> StartAsync(string tool, int pid, string output)
    {
        File.Delete(output);
        var start = new ProcessStartInfo(tool)
        {
            // All of System.Runtime: asking for the one counter by name wrote no file at all (dotnet-counters 10.0).
            ArgumentList = { "collect", "-p", $"{pid}", "--counters", "System.Runtime", "--refresh-interval", "1", "--format", "csv", "-o", output },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Its stdin stays open and silent: dotnet-counters quits on a key press, and on end of input.
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var collector = Process.Start(start)!;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        collector.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Starting a counter session", StringComparison.Ordinal) == true) started.TrySetResult();
        };
        collector.BeginOutputReadLine();
        collector.BeginErrorReadLine();
        try
        {
            await started.Task.WaitAsync(SessionStartTimeout);
        }
        catch (TimeoutException)
        {
            collector.Kill();
            collector.Dispose();
            throw new InvalidOperationException($"dotnet-counters did not attach to process {pid} within {SessionStartTimeout}");
        }
        await Task.Delay(SessionWarmUp);
        return new SiloAllocations(collector, output);
    }

    /// <summary>
    /// Stops collecting. Only then does dotnet-counters write its file; <see cref="AllocatedBetween"/> reads it.
    /// One session serves every load of a run: a silo allows one metrics session at a time, and a stopped
    /// dotnet-counters left its session open in the silo for a while, refusing the next one.
    /// </summary>
    /// <returns>False when dotnet-counters wrote no allocation samples.</returns>
    public async Task<bool> StopAsync()
    {
        await Task.Delay(LastInterval);
        // dotnet-counters writes its file when interrupted (SIGINT, like Ctrl-C), but then does not always exit
        // (seen with 10.0.750501): wait for the file, then end the process.
        await SignalAsync("-INT");
        var waited = Stopwatch.StartNew();
        while ((_samples = Samples(_output)).Count == 0 && waited.Elapsed < WriteTimeout) await Task.Delay(200);
        await DisposeAsync();
        return _samples.Count > 0;
    }

    /// <summary>Bytes allocated in the intervals reported from just after <paramref name="from"/> to one interval after <paramref name="to"/> (local times).</summary>
    public long AllocatedBetween(DateTime from, DateTime to) =>
        (long)_samples.Where(s => s.At > from && s.At <= to + LastInterval).Sum(s => s.Bytes);

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_collector.HasExited)
        {
            await SignalAsync("-TERM");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await _collector.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _collector.Kill(); }
        }
        _collector.Dispose();
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, $"{_collector.Id}"]);
        await kill.WaitForExitAsync();
    }

    /// <summary>The counter's values, each for the interval up to its time: CSV rows "timestamp,provider,name (unit / 1 sec),Rate,value".</summary>
    private static List<(DateTime At, double Bytes)> Samples(string output)
    {
        if (!File.Exists(output)) return [];
        using var stream = new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var samples = new List<(DateTime, double)>();
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split(',');
            if (fields.Length >= 5 && fields[2].StartsWith(Counter, StringComparison.Ordinal)
                && DateTime.TryParse(fields[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var at)
                && double.TryParse(fields[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                samples.Add((at, value));
        }
        return samples;
    }
}
