namespace Hub.Silo.Configuration;

/// <summary>The silo's log cleaner, which compacts the logs of compacted topics on this broker (configuration section "Hub:LogCleaner").</summary>
public sealed class LogCleanerOptions
{
    /// <summary>Logs cleaned at once, each on a thread of its own (Kafka's log.cleaner.threads, default 1).</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Most bytes per second the cleaner reads and writes, all threads together (log.cleaner.io.max.bytes.per.second; Kafka: unlimited).</summary>
    public double IoMaxBytesPerSecond { get; set; } = double.MaxValue;

    /// <summary>Memory for the cleaner's key → offset maps, shared by the threads (log.cleaner.dedupe.buffer.size, default 128 MiB).</summary>
    public long DedupeBufferSize { get; set; } = 128L * 1024 * 1024;

    /// <summary>How often each compacted log looks whether it is due for cleaning (log.cleaner.backoff.ms, default 15 s).</summary>
    public TimeSpan Backoff { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The min.cleanable.dirty.ratio of topics that set none (log.cleaner.min.cleanable.ratio, default 0.5).</summary>
    public double MinCleanableRatio { get; set; } = Hub.Topics.TopicConfig.DefaultMinCleanableDirtyRatio;
}
