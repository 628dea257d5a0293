using System.Diagnostics;
using System.Globalization;

namespace Hub.Benchmarks.Measure;

/// <summary>
/// Bytes a silo's garbage collector allocated while a piece of load ran, read with dotnet-counters (the
/// runtime's dotnet.gc.heap.total_allocated counter over EventPipe), so the silo runs unchanged. dotnet-counters
/// reports the counter as bytes per refresh interval; their sum over the window is what was allocated.
/// </summary>
public sealed class SiloAllocations : IAsyncDisposable
{
    private const string Counter = "dotnet.gc.heap.total_allocated";
    private static readonly TimeSpan SessionStartTimeout = TimeSpan.FromSeconds(20);
    private readonly Process _collector;
    private readonly string _output;
    private bool _stopped;

    private SiloAllocations(Process collector, string output)
    {
        _collector = collector;
        _output = output;
    }

    /// <summary>dotnet-counters on PATH or where `dotnet tool install -g` puts it; null when neither has it.</summary>
    public static string? Tool() =>
        new[] { Environment.GetEnvironmentVariable("PATH")?.Split(':') ?? [], [Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools")] }
            .SelectMany(d => d).Select(d => Path.Combine(d, "dotnet-counters")).FirstOrDefault(File.Exists);

    /// <summary>Starts collecting and returns once the first sample is in, so the session is live before the load starts.</summary>
    public static async Task<SiloAllocations> StartAsync(string tool, int pid, string output)
    {
        File.Delete(output);
        var start = new ProcessStartInfo(tool)
        {
            ArgumentList = { "collect", "-p", $"{pid}", "--counters", $"System.Runtime[{Counter}]", "--refresh-interval", "1", "--format", "csv", "-o", output },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var collector = Process.Start(start)!;
        _ = collector.StandardOutput.ReadToEndAsync();
        _ = collector.StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (Samples(output).Count == 0)
        {
            if (collector.HasExited || waited.Elapsed > SessionStartTimeout)
                throw new InvalidOperationException($"dotnet-counters did not start collecting from process {pid}");
            await Task.Delay(100);
        }
        return new SiloAllocations(collector, output);
    }

    /// <summary>Waits for the interval in progress to be reported, stops, and returns the bytes allocated since the start.</summary>
    public async Task<long> StopAsync()
    {
        var before = Samples(_output).Count;
        var waited = Stopwatch.StartNew();
        while (Samples(_output).Count <= before + 1 && waited.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(100);
        await DisposeAsync();
        // The first sample covers the time before the load began.
        return (long)Samples(_output).Skip(1).Sum();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped) return;
        _stopped = true;
        if (!_collector.HasExited)
        {
            // dotnet-counters stops on a key press, writing out what it has.
            await _collector.StandardInput.WriteAsync('q');
            await _collector.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _collector.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _collector.Kill(); }
        }
        _collector.Dispose();
    }

    /// <summary>The counter's values so far: CSV rows "timestamp,provider,name (unit / 1 sec),Rate,value".</summary>
    private static List<double> Samples(string output)
    {
        if (!File.Exists(output)) return [];
        using var stream = new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var samples = new List<double>();
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split(',');
            if (fields.Length >= 5 && fields[2].Contains(Counter, StringComparison.Ordinal)
                && double.TryParse(fields[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                samples.Add(value);
        }
        return samples;
    }
}
