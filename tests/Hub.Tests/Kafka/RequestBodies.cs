using Hub.Silo.Kafka.Protocol;

namespace Hub.Tests.Kafka;

/// <summary>Hand-encoded request bodies (after the header) for the raw-connection and fuzz tests.</summary>
public static class RequestBodies
{
    public static byte[] ApiVersions(short version) => Encode(version >= 3, w =>
    {
        if (version < 3) return;
        w.WriteString("raw-test");
        w.WriteString("1.0");
        w.WriteEmptyTaggedFields();
    });

    public static byte[] Metadata(short version, params string[] topics) => Encode(version >= 9, w =>
    {
        w.WriteArrayLength(topics.Length);
        foreach (var topic in topics)
        {
            if (version >= 10) w.WriteUuid(Guid.Empty);
            w.WriteString(topic);
            w.WriteEmptyTaggedFields();
        }
        if (version >= 4) w.WriteBool(false);
        if (version is >= 8 and <= 10) w.WriteBool(false);
        if (version >= 8) w.WriteBool(false);
        w.WriteEmptyTaggedFields();
    });

    public static byte[] Produce(short version, string topic, int partition, byte[] batch, short acks = -1, string? transactionalId = null) => Encode(version >= 9, w =>
    {
        w.WriteNullableString(transactionalId);
        w.WriteInt16(acks);
        w.WriteInt32(5000);
        w.WriteArrayLength(1);
        w.WriteString(topic);
        w.WriteArrayLength(1);
        w.WriteInt32(partition);
        w.WriteBytes(batch);
        w.WriteEmptyTaggedFields();
        w.WriteEmptyTaggedFields();
        w.WriteEmptyTaggedFields();
    });

    public static byte[] Fetch(short version, string topic, int partition, long offset, int maxWaitMs = 0, int currentLeaderEpoch = -1) => Encode(version >= 12, w =>
    {
        w.WriteInt32(-1); // replica id
        w.WriteInt32(maxWaitMs);
        w.WriteInt32(1); // min bytes
        w.WriteInt32(1 << 20); // max bytes
        w.WriteInt8(0); // isolation level
        if (version >= 7)
        {
            w.WriteInt32(0); // session id
            w.WriteInt32(-1); // session epoch
        }
        w.WriteArrayLength(1);
        w.WriteString(topic);
        w.WriteArrayLength(1);
        w.WriteInt32(partition);
        if (version >= 9) w.WriteInt32(currentLeaderEpoch);
        w.WriteInt64(offset);
        if (version >= 12) w.WriteInt32(-1);
        if (version >= 5) w.WriteInt64(-1);
        w.WriteInt32(1 << 20);
        w.WriteEmptyTaggedFields();
        w.WriteEmptyTaggedFields();
        if (version >= 7) w.WriteArrayLength(0);
        if (version >= 11) w.WriteString("");
        w.WriteEmptyTaggedFields();
    });

    /// <summary>
    /// Fetch v7+ in a session (KIP-227): some partitions of one topic, by name or from v13 by <paramref name="topicId"/>
    /// (none written when <paramref name="partitions"/> is empty), and partitions of it to forget.
    /// </summary>
    public static byte[] SessionFetch(short version, int sessionId, int sessionEpoch, string topic, Guid topicId,
        (int Partition, long Offset)[] partitions, int[] forgotten) => Encode(version >= 12, w =>
    {
        void Topic()
        {
            if (version >= 13) w.WriteUuid(topicId);
            else w.WriteString(topic);
        }
        w.WriteInt32(-1); // replica id
        w.WriteInt32(0); // max wait
        w.WriteInt32(1); // min bytes
        w.WriteInt32(1 << 20); // max bytes
        w.WriteInt8(0); // isolation level
        w.WriteInt32(sessionId);
        w.WriteInt32(sessionEpoch);
        w.WriteArrayLength(partitions.Length == 0 ? 0 : 1);
        if (partitions.Length > 0)
        {
            Topic();
            w.WriteArrayLength(partitions.Length);
            foreach (var (partition, offset) in partitions)
            {
                w.WriteInt32(partition);
                if (version >= 9) w.WriteInt32(-1);
                w.WriteInt64(offset);
                if (version >= 12) w.WriteInt32(-1);
                w.WriteInt64(-1);
                w.WriteInt32(1 << 20);
                w.WriteEmptyTaggedFields();
            }
            w.WriteEmptyTaggedFields();
        }
        w.WriteArrayLength(forgotten.Length == 0 ? 0 : 1);
        if (forgotten.Length > 0)
        {
            Topic();
            w.WriteArrayLength(forgotten.Length);
            foreach (var partition in forgotten) w.WriteInt32(partition);
            w.WriteEmptyTaggedFields();
        }
        if (version >= 11) w.WriteString("");
        w.WriteEmptyTaggedFields();
    });

    public static byte[] ListOffsets(short version, string topic, int partition, long timestamp, int currentLeaderEpoch = -1) => Encode(version >= 6, w =>
    {
        w.WriteInt32(-1);
        if (version >= 2) w.WriteInt8(0);
        w.WriteArrayLength(1);
        w.WriteString(topic);
        w.WriteArrayLength(1);
        w.WriteInt32(partition);
        if (version >= 4) w.WriteInt32(currentLeaderEpoch);
        w.WriteInt64(timestamp);
        w.WriteEmptyTaggedFields();
        w.WriteEmptyTaggedFields();
        w.WriteEmptyTaggedFields();
    });

    /// <summary>From a consumer (replica id -1 from v3): where <paramref name="leaderEpoch"/> ends.</summary>
    public static byte[] OffsetForLeaderEpoch(short version, string topic, int partition, int currentLeaderEpoch, int leaderEpoch) => Encode(version >= 4, w =>
    {
        if (version >= 3) w.WriteInt32(-1);
        w.WriteArrayLength(1);
        w.WriteString(topic);
        w.WriteArrayLength(1);
        w.WriteInt32(partition);
        w.WriteInt32(currentLeaderEpoch);
        w.WriteInt32(leaderEpoch);
        w.WriteEmptyTaggedFields();
        w.WriteEmptyTaggedFields();
        w.WriteEmptyTaggedFields();
    });

    /// <summary>Without a transactional id; from v3 with the producer id and epoch the client holds.</summary>
    public static byte[] InitProducerId(short version, long producerId, short epoch) => Encode(version >= 2, w =>
    {
        w.WriteNullableString(null);
        w.WriteInt32(60_000); // transaction timeout
        if (version >= 3)
        {
            w.WriteInt64(producerId);
            w.WriteInt16(epoch);
        }
        w.WriteEmptyTaggedFields();
    });

    /// <summary>InitProducerId v1 for a transactional producer.</summary>
    public static byte[] InitTransactionalProducerId(string transactionalId, int timeoutMs) => Encode(false, w =>
    {
        w.WriteNullableString(transactionalId);
        w.WriteInt32(timeoutMs);
    });

    /// <summary>AddPartitionsToTxn v1 of one partition.</summary>
    public static byte[] AddPartitionsToTxn(string transactionalId, long producerId, short epoch, string topic, int partition) => Encode(false, w =>
    {
        w.WriteString(transactionalId);
        w.WriteInt64(producerId);
        w.WriteInt16(epoch);
        w.WriteArrayLength(1);
        w.WriteString(topic);
        w.WriteArrayLength(1);
        w.WriteInt32(partition);
    });

    public static byte[] DescribeConfigs(short version, string topic) => Encode(version >= 4, w =>
    {
        w.WriteArrayLength(1);
        w.WriteInt8(2);
        w.WriteString(topic);
        w.WriteArrayLength(-1);
        w.WriteEmptyTaggedFields();
        if (version >= 1) w.WriteBool(false);
        if (version >= 3) w.WriteBool(false);
        w.WriteEmptyTaggedFields();
    });

    /// <summary>
    /// AlterConfigs (<paramref name="incremental"/> false, the configs all sets) or IncrementalAlterConfigs: each resource
    /// (type, name) with its configs (name, Kafka's op code, value).
    /// </summary>
    public static byte[] AlterConfigs(bool incremental, short version, params (sbyte Type, string Name, (string Name, sbyte Op, string? Value)[] Configs)[] resources) =>
        Encode(version >= (incremental ? 1 : 2), w =>
        {
            w.WriteArrayLength(resources.Length);
            foreach (var (type, name, configs) in resources)
            {
                w.WriteInt8(type);
                w.WriteString(name);
                w.WriteArrayLength(configs.Length);
                foreach (var config in configs)
                {
                    w.WriteString(config.Name);
                    if (incremental) w.WriteInt8(config.Op);
                    w.WriteNullableString(config.Value);
                    w.WriteEmptyTaggedFields();
                }
                w.WriteEmptyTaggedFields();
            }
            w.WriteBool(false); // validate only
            w.WriteEmptyTaggedFields();
        });

    /// <summary>DescribeTopicPartitions v0: the topics (none: all), the partition limit, the cursor if any.</summary>
    public static byte[] DescribeTopicPartitions(string[] topics, int limit, (string Topic, int Partition)? cursor = null) => Encode(true, w =>
    {
        w.WriteArrayLength(topics.Length);
        foreach (var topic in topics)
        {
            w.WriteString(topic);
            w.WriteEmptyTaggedFields();
        }
        w.WriteInt32(limit);
        if (cursor is { } c)
        {
            w.WriteInt8(1);
            w.WriteString(c.Topic);
            w.WriteInt32(c.Partition);
            w.WriteEmptyTaggedFields();
        }
        else w.WriteInt8(-1);
        w.WriteEmptyTaggedFields();
    });

    /// <summary>DescribeLogDirs: the partitions asked for by topic, or null for all.</summary>
    public static byte[] DescribeLogDirs(short version, (string Topic, int[] Partitions)[]? topics) => Encode(version >= 2, w =>
    {
        w.WriteArrayLength(topics?.Length ?? -1);
        foreach (var (topic, partitions) in topics ?? [])
        {
            w.WriteString(topic);
            w.WriteArrayLength(partitions.Length);
            foreach (var partition in partitions) w.WriteInt32(partition);
            w.WriteEmptyTaggedFields();
        }
        w.WriteEmptyTaggedFields();
    });

    private static byte[] Encode(bool flexible, Action<ProtocolWriter> write)
    {
        using var writer = new ProtocolWriter { Flexible = flexible };
        write(writer);
        return writer.WrittenSpan.ToArray();
    }
}
