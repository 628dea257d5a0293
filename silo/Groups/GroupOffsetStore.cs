using System.Text;
using Hub.Errors;
using Hub.Groups;
using Hub.Silo.Configuration;

namespace Hub.Silo.Groups;

/// <summary>
/// A group's committed offsets (Kafka's offset part of GroupMetadata): Kafka's commit rules, applied all or
/// none; fetch; and expiry once the group is empty. The offsets live in the durable
/// <see cref="ConsumerGroupState"/>, which the owner stores after a change; who may commit is the
/// coordinator's rule (<see cref="GroupCoordinator.CheckCommitter"/>), asked between validation and the write.
/// </summary>
/// <param name="record">The group's durable state (read through a delegate: the owner may replace it when cleared).</param>
internal sealed class GroupOffsetStore(Func<ConsumerGroupState> record, HubSiloOptions options, TimeProvider time)
{
    private ConsumerGroupState Record => record();

    public int Count => Record.OffsetCount;

    /// <summary>The checks every entry passes before anything else (before the topics are even looked up).</summary>
    public void Validate(IEnumerable<OffsetCommitEntry> offsets)
    {
        foreach (var entry in offsets)
        {
            if (entry is null) throw new HubException(ErrorCode.InvalidRequest, "an offset entry is missing");
            if (string.IsNullOrEmpty(entry.Topic)) throw new HubException(ErrorCode.UnknownTopicOrPartition, "an offset names no topic");
            if (entry.Partition < 0)
                throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{entry.Topic}' has no partition {entry.Partition}");
            if (entry.Offset < 0)
                throw new HubException(ErrorCode.InvalidRequest,
                    $"offset {entry.Offset} for {entry.Topic}/{entry.Partition} is negative; commit the next offset to read (≥ 0)");
            if (entry.Metadata is { } metadata && Encoding.UTF8.GetByteCount(metadata) > options.OffsetMetadataMaxBytes)
                throw new HubException(ErrorCode.OffsetMetadataTooLarge,
                    $"offset metadata for {entry.Topic}/{entry.Partition} is longer than {options.OffsetMetadataMaxBytes} bytes");
        }
    }

    /// <summary>
    /// Stores every offset, stamped with the commit time, or none: each entry must pass <see cref="Validate"/>,
    /// name an existing partition, and <paramref name="checkCommitter"/> must not throw.
    /// </summary>
    /// <param name="partitionCounts">Partition counts of the entries' topics (null: no such topic).</param>
    /// <returns>Whether anything was stored (the owner then writes the state).</returns>
    public bool Commit(IReadOnlyList<OffsetCommitEntry> offsets, IReadOnlyDictionary<string, int?> partitionCounts, Action checkCommitter)
    {
        if (!Check(offsets, partitionCounts, checkCommitter)) return false;
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var entry in offsets)
            Record.SetOffset(new TopicPartition(entry.Topic, entry.Partition), new StoredOffset(entry.Offset, entry.LeaderEpoch, entry.Metadata, nowMs));
        return true;
    }

    /// <summary>As <see cref="Commit"/>, but the offsets wait, pending, for <paramref name="producerId"/>'s transaction to commit.</summary>
    public bool CommitPending(long producerId, IReadOnlyList<OffsetCommitEntry> offsets, IReadOnlyDictionary<string, int?> partitionCounts, Action checkCommitter)
    {
        if (!Check(offsets, partitionCounts, checkCommitter)) return false;
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!Record.PendingTransactionalOffsets.TryGetValue(producerId, out var pending))
            Record.PendingTransactionalOffsets[producerId] = pending = new(StringComparer.Ordinal);
        foreach (var entry in offsets)
        {
            if (!pending.TryGetValue(entry.Topic, out var partitions)) pending[entry.Topic] = partitions = [];
            partitions[entry.Partition] = new StoredOffset(entry.Offset, entry.LeaderEpoch, entry.Metadata, nowMs);
        }
        return true;
    }

    /// <summary>Commits or drops <paramref name="producerId"/>'s pending offsets; returns whether anything changed.</summary>
    public bool CompleteTransaction(long producerId, bool commit)
    {
        if (!Record.PendingTransactionalOffsets.Remove(producerId, out var pending)) return false;
        if (commit)
        {
            foreach (var (topic, partitions) in pending)
            {
                foreach (var (partition, offset) in partitions) Record.SetOffset(new TopicPartition(topic, partition), offset);
            }
        }
        return true;
    }

    /// <summary>Whether a transaction not yet ended holds an offset for <paramref name="partition"/> (OffsetFetch's require_stable).</summary>
    public bool HasPending(TopicPartition partition) =>
        Record.PendingTransactionalOffsets.Values.Any(p => p.TryGetValue(partition.Topic, out var partitions) && partitions.ContainsKey(partition.Partition));

    /// <summary>The checks of a commit; false when there is nothing to store.</summary>
    private bool Check(IReadOnlyList<OffsetCommitEntry> offsets, IReadOnlyDictionary<string, int?> partitionCounts, Action checkCommitter)
    {
        Validate(offsets);
        foreach (var entry in offsets)
        {
            if (partitionCounts.GetValueOrDefault(entry.Topic) is not { } count)
                throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{entry.Topic}' does not exist");
            if (entry.Partition >= count)
                throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{entry.Topic}' has no partition {entry.Partition} (it has {count})");
        }
        checkCommitter();
        return offsets.Count > 0;
    }

    /// <summary>Committed offsets of <paramref name="partitions"/> (offset -1 where there is none), or every one stored when null.</summary>
    public CommittedOffset[] Fetch(TopicPartition[]? partitions) =>
        partitions is null
            ? Record.AllOffsets().OrderBy(o => o.Partition).Select(o => Committed(o.Partition, o.Offset)).ToArray()
            : partitions.Select(p => Record.GetOffset(p) is { } stored
                ? Committed(p, stored)
                : new CommittedOffset(p.Topic, p.Partition, CommittedOffset.None, -1, null, -1)).ToArray();

    /// <summary>
    /// Drops the offsets older than the offsets retention, counted from the later of their commit and
    /// <paramref name="emptySinceMs"/> (Kafka's rule since KIP-211). Call only while the group is empty.
    /// </summary>
    /// <param name="emptySinceMs">When the group became empty (Unix ms); -1 when it never had members: the commit times alone count.</param>
    /// <returns>How many offsets expired.</returns>
    public int Expire(long emptySinceMs)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var retentionMs = (long)options.OffsetsRetention.TotalMilliseconds;
        var from = Math.Max(0, emptySinceMs);
        var expired = Record.AllOffsets().Where(o => Math.Max(from, o.Offset.CommitTimestampMs) + retentionMs <= nowMs).Select(o => o.Partition).ToList();
        foreach (var partition in expired) Record.RemoveOffset(partition);
        return expired.Count;
    }

    /// <summary>Drops the offsets of <paramref name="partitions"/>; returns whether any was there.</summary>
    public bool Delete(IEnumerable<TopicPartition> partitions)
    {
        var any = false;
        foreach (var partition in partitions)
        {
            any |= Record.GetOffset(partition) is not null;
            Record.RemoveOffset(partition);
        }
        return any;
    }

    private static CommittedOffset Committed(TopicPartition partition, StoredOffset stored) =>
        new(partition.Topic, partition.Partition, stored.Offset, stored.LeaderEpoch, stored.Metadata, stored.CommitTimestampMs);
}
