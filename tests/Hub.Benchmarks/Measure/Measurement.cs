using System.Diagnostics;

namespace Hub.Benchmarks.Measure;

/// <summary>
/// What one load run cost, taken around it: wall time, the client's CPU, and the silos' CPU. The client is this
/// process, whose GC-allocated bytes are counted too (the whole process, so they include the load generator's
/// own, which is built to allocate nothing per record), or another one (the native librdkafka driver), whose
/// CPU is read from /proc and whose allocations are not counted.
/// </summary>
public sealed class Measurement
{
    private readonly int[] _siloPids;
    private readonly int? _clientPid;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly long _allocated = GC.GetTotalAllocatedBytes(precise: true);
    private readonly TimeSpan _clientCpu;
    private readonly TimeSpan[] _siloCpu;

    private Measurement(int[] siloPids, int? clientPid)
    {
        _siloPids = siloPids;
        _clientPid = clientPid;
        _clientCpu = ClientCpu();
        _siloCpu = siloPids.Select(ProcessStats.CpuTime).ToArray();
    }

    public static Measurement Start(params int[] siloPids) => new(siloPids, clientPid: null);

    /// <summary>A run whose client is process <paramref name="clientPid"/>, not this one.</summary>
    public static Measurement StartOther(int clientPid, int[] siloPids) => new(siloPids, clientPid);

    /// <param name="records">Records moved (produced, or delivered to consumers).</param>
    /// <param name="payloadBytes">Value bytes moved (as the peers count: payload only).</param>
    /// <param name="since">Timestamp the rate counts from, when that is later than the start (e.g. a group's first record).</param>
    public LoadResult Stop(long records, long payloadBytes, long? since = null)
    {
        var seconds = Stopwatch.GetElapsedTime(since ?? _start).TotalSeconds;
        var siloCpu = _siloPids.Select((pid, i) => ProcessStats.CpuTime(pid) - _siloCpu[i]).Aggregate(TimeSpan.Zero, (a, b) => a + b);
        return new LoadResult(records, payloadBytes, seconds,
            _clientPid is null ? GC.GetTotalAllocatedBytes(precise: true) - _allocated : null,
            ClientCpu() - _clientCpu,
            siloCpu);
    }

    private TimeSpan ClientCpu() => _clientPid is { } pid ? ProcessStats.CpuTime(pid) : Process.GetCurrentProcess().TotalProcessorTime;
}

/// <summary>The figures of one load run; <see cref="ClientAllocatedBytes"/> is null for a client in another process.</summary>
public sealed record LoadResult(long Records, long PayloadBytes, double Seconds, long? ClientAllocatedBytes, TimeSpan ClientCpu, TimeSpan SiloCpu)
{
    public double RecordsPerSecond => Records / Seconds;

    /// <summary>Payload megabytes (10^6 bytes, as peers.sh counts) per second.</summary>
    public double MegabytesPerSecond => PayloadBytes / 1e6 / Seconds;

    public double ClientAllocatedBytesPerRecord => (double)(ClientAllocatedBytes ?? 0) / Records;

    public double ClientCpuMicrosPerRecord => ClientCpu.TotalMicroseconds / Records;

    public double SiloCpuMicrosPerRecord => SiloCpu.TotalMicroseconds / Records;

    /// <summary>"CPU/record client 0.90 µs + silo 0.60 µs; client allocated 12.0 B/record" (no allocations for another process).</summary>
    public string CostSummary() => FormattableString.Invariant(
        $"CPU/record client {ClientCpuMicrosPerRecord:F2} µs + silo {SiloCpuMicrosPerRecord:F2} µs") +
        (ClientAllocatedBytes is null ? "" : FormattableString.Invariant($"; client allocated {ClientAllocatedBytesPerRecord:F1} B/record"));
}
