using System.Globalization;

namespace Hub.Benchmarks.Report;

/// <summary>
/// The figures infra/bench/peers.sh printed in this run, one "PEER &lt;system&gt; &lt;workload&gt; &lt;value&gt; &lt;unit&gt;"
/// line each (Redis Streams, NATS JetStream, the disk, loopback TCP, memcpy).
/// </summary>
public sealed class PeerFigures
{
    private readonly Dictionary<(string System, string Workload, string Unit), double> _figures = [];

    public static PeerFigures None { get; } = new();

    public bool IsEmpty => _figures.Count == 0;

    /// <summary>peers.sh's one-minute load averages at its start and end ("8.1 → 9.3"), since its figures move with the load too.</summary>
    public string LoadAverages { get; private set; } = "";

    public static PeerFigures Load(string path)
    {
        var peers = new PeerFigures();
        var loads = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            // "# /tmp: ... ; loadavg at start: 8.1 7.9 7.2" and "# loadavg at end: 9.3 8.8 7.5"
            var at = line.IndexOf("loadavg at ", StringComparison.Ordinal);
            if (line.StartsWith('#') && at >= 0) loads.Add(line[(line.IndexOf(':', at) + 1)..].Trim().Split(' ')[0]);
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is ["PEER", var system, var workload, var value, var unit]
                && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                peers._figures[(system, workload, unit)] = number;
        }
        peers.LoadAverages = string.Join(" → ", loads);
        return peers;
    }

    /// <summary>A comparison of <paramref name="hub"/> with the peer's figure, or none when peers.sh did not measure it.</summary>
    public IEnumerable<Comparison> Compare(double hub, string label, string system, string workload, string unit)
    {
        if (_figures.TryGetValue((system, workload, unit), out var peer) && peer > 0)
            yield return new Comparison(label, peer, unit, hub / peer);
    }

    /// <summary>Hub's produce MB/s as a fraction of the fsync'd sequential disk write and the loopback TCP bandwidth.</summary>
    public IEnumerable<Comparison> CompareWithLimits(double hubMegabytesPerSecond)
    {
        foreach (var disk in Compare(hubMegabytesPerSecond, "disk, fsync'd sequential write", "disk", "seq-write-1MiB-fdatasync-each-fresh-space", "MB/s"))
            yield return disk;
        if (_figures.TryGetValue(("loopback", "tcp-1-stream", "Gbit/s"), out var gbits) && gbits > 0)
        {
            var megabytes = gbits * 1000 / 8;
            yield return new Comparison("loopback TCP, 1 stream", megabytes, "MB/s", hubMegabytesPerSecond / megabytes);
        }
    }
}
