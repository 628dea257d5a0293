using Hub.Topics;

namespace Hub.Silo.Log;

/// <summary>
/// The record timestamps a CreateTime topic accepts at one moment: Kafka's message.timestamp.before.max.ms and
/// after.max.ms around the leader's clock. Kafka's LogValidator checks every record's timestamp, not only the
/// batch's maximum, and skips records without one (-1); a LogAppendTime topic checks none, as the leader's time
/// replaces them.
/// </summary>
internal readonly record struct TimestampBounds(long Earliest, long Latest)
{
    /// <summary>A record's timestamp when its producer gave none (Kafka's RecordBatch.NO_TIMESTAMP).</summary>
    private const long NoTimestamp = -1;

    public static TimestampBounds None { get; } = new(long.MinValue, long.MaxValue);

    /// <summary>
    /// The bounds <paramref name="config"/> sets at <paramref name="nowMs"/> (a clock past 1970, so the earliest cannot
    /// underflow; the latest saturates at "no bound").
    /// </summary>
    public static TimestampBounds For(TopicConfig config, long nowMs) => config.MessageTimestampType != TopicConfig.CreateTime
        ? None
        : new(nowMs - config.MessageTimestampBeforeMaxMs,
            config.MessageTimestampAfterMaxMs > long.MaxValue - nowMs ? long.MaxValue : nowMs + config.MessageTimestampAfterMaxMs);

    public bool Excludes(long timestamp) => timestamp != NoTimestamp && (timestamp < Earliest || timestamp > Latest);
}
