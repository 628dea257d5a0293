using Hub.Client;

namespace Hub.Streaming;

/// <summary>Settings of one Hub stream provider (<c>AddHubStreams(name, ...)</c>).</summary>
public sealed class HubStreamOptions
{
    /// <summary>Default of <see cref="PartitionCheckInterval"/>: new partitions are read within half a minute, at one metadata read per silo.</summary>
    public static readonly TimeSpan DefaultPartitionCheckInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The topics this provider serves; each is a stream namespace. The provider reads their partition counts
    /// when the silo starts (one Orleans queue per partition) and every <see cref="PartitionCheckInterval"/>.
    /// </summary>
    public List<string> Topics { get; set; } = [];

    /// <summary>
    /// How often each silo reads the topics' partition counts, so partitions added at runtime
    /// (<c>hub topics add-partitions</c>, Kafka's CreatePartitions) are read without a restart; Kafka's consumers
    /// notice them on their metadata refresh (metadata.max.age.ms, 5 minutes).
    /// </summary>
    public TimeSpan PartitionCheckInterval { get; set; } = DefaultPartitionCheckInterval;

    /// <summary>What a subscription that rewinds to an offset retention already deleted gets.</summary>
    public RewindBelowLogStart RewindBelowLogStart { get; set; } = RewindBelowLogStart.FromEarliest;

    /// <summary>
    /// Partitions of a topic the provider creates when one of <see cref="Topics"/> does not exist at start;
    /// 0 (the default) makes a missing topic an error instead.
    /// </summary>
    public int PartitionsForMissingTopics { get; set; }

    /// <summary>
    /// Where Hub is: null when the silo is a Hub broker itself (co-hosted), else the gateways of the Hub
    /// cluster this application cluster reaches through the SDK.
    /// </summary>
    public HubClientOptions? Connection { get; set; }

    /// <summary>
    /// The consumer group that holds delivery progress (committed offsets); null means
    /// <c>orleans-streams.&lt;provider name&gt;</c>.
    /// </summary>
    public string? ConsumerGroup { get; set; }

    /// <summary>Where a partition starts when the group has no committed offset for it: Earliest or Latest.</summary>
    public AutoOffsetReset StartFrom { get; set; } = AutoOffsetReset.Earliest;

    /// <summary>
    /// Records each partition's cache holds at most. A subscriber still reading the oldest tenth of the cache
    /// stops further reads from Hub (back-pressure) instead of losing its events.
    /// </summary>
    public int CacheSize { get; set; } = 4096;

    /// <summary>
    /// Records read from Hub but not yet in the cache, per partition (the read-ahead); beyond them the SDK
    /// consumer holds at most its few prefetched fetches (<see cref="ConsumerOptions.PrefetchBatches"/>).
    /// </summary>
    public int ReadAheadRecords { get; set; } = 1024;

    /// <summary>Stream key that records produced without a key arrive on (Orleans refuses empty grain keys).</summary>
    public string UnkeyedStreamKey { get; set; } = "-";

    /// <summary>The producer used by <c>OnNextAsync</c>/<c>OnNextBatchAsync</c> (batching, acks).</summary>
    public ProducerOptions Producer { get; set; } = new() { LingerMs = 2, Acks = Acks.All };

    /// <summary>
    /// What happens to an event a subscriber keeps failing on: null (the default) is Orleans' behaviour, retrying
    /// for <c>StreamPullingAgentOptions.MaxEventDeliveryTime</c> (1 minute) and then skipping it; a policy retries it
    /// the policy's attempts with its backoff and then writes it to a dead-letter topic and goes on. Read when
    /// <c>AddHubStreams</c> runs.
    /// </summary>
    public DeadLetterPolicy? DeadLetters { get; set; }

    internal string GroupFor(string providerName) => ConsumerGroup ?? $"orleans-streams.{providerName}";

    internal void Validate(string providerName)
    {
        if (Topics.Count == 0)
            throw new ArgumentException($"Hub stream provider '{providerName}' serves no topics: set HubStreamOptions.Topics");
        if (Topics.Any(string.IsNullOrEmpty))
            throw new ArgumentException($"Hub stream provider '{providerName}' has an empty topic name in HubStreamOptions.Topics");
        if (PartitionsForMissingTopics < 0)
            throw new ArgumentOutOfRangeException(nameof(PartitionsForMissingTopics), PartitionsForMissingTopics, "expected 0 (don't create) or more");
        if (CacheSize < 10)
            throw new ArgumentOutOfRangeException(nameof(CacheSize), CacheSize, "the cache holds at least 10 records");
        if (ReadAheadRecords < 1)
            throw new ArgumentOutOfRangeException(nameof(ReadAheadRecords), ReadAheadRecords, "read ahead at least one record");
        if (string.IsNullOrEmpty(UnkeyedStreamKey))
            throw new ArgumentException("UnkeyedStreamKey must not be empty: Orleans refuses empty grain keys");
        if (PartitionCheckInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(PartitionCheckInterval), PartitionCheckInterval, "expected a positive interval");
        if (!Enum.IsDefined(RewindBelowLogStart))
            throw new ArgumentOutOfRangeException(nameof(RewindBelowLogStart), RewindBelowLogStart, "expected FromEarliest or Fail");
        if (StartFrom is not (AutoOffsetReset.Earliest or AutoOffsetReset.Latest))
            throw new ArgumentOutOfRangeException(nameof(StartFrom), StartFrom, "expected Earliest or Latest");
        DeadLetters?.Validate();
    }
}
