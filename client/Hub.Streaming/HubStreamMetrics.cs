using System.Diagnostics.Metrics;

namespace Hub.Streaming;

/// <summary>Instruments of the Hub stream providers (meter <see cref="MeterName"/>), tagged with topic and partition.</summary>
internal static class HubStreamMetrics
{
    public const string MeterName = "Hub.Streaming";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Records a pulling agent took from Hub; with the subscribers' progress it shows how far reads run ahead.</summary>
    public static readonly Counter<long> RecordsRead = Meter.CreateCounter<long>("hub.streams.records_read");

    /// <summary>Records read back from Hub for a subscriber that rewound past the cache.</summary>
    public static readonly Counter<long> RecordsReplayed = Meter.CreateCounter<long>("hub.streams.records_replayed");
}
