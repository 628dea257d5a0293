namespace Hub.Streaming;

/// <summary>
/// A subscription rewound to an offset that retention already deleted, under <see cref="RewindBelowLogStart.Fail"/>:
/// the records from <see cref="RequestedOffset"/> to <see cref="LogStartOffset"/> no longer exist.
/// </summary>
[GenerateSerializer]
public sealed class HubRewindOutOfRangeException : Exception
{
    public HubRewindOutOfRangeException(string topic, int partition, long requestedOffset, long logStartOffset)
        : base($"rewind of {topic}/{partition} to offset {requestedOffset} is below the log start {logStartOffset}: " +
               $"retention deleted offsets {requestedOffset}..{logStartOffset - 1} (HubStreamOptions.RewindBelowLogStart is Fail)")
    {
        Topic = topic;
        Partition = partition;
        RequestedOffset = requestedOffset;
        LogStartOffset = logStartOffset;
    }

    [Id(0)] public string Topic { get; }

    [Id(1)] public int Partition { get; }

    [Id(2)] public long RequestedOffset { get; }

    /// <summary>The earliest offset the partition still holds.</summary>
    [Id(3)] public long LogStartOffset { get; }
}
