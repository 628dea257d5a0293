using Hub.Errors;

namespace Hub.Silo.Kafka.Apis.Records.Sessions;

/// <summary>
/// One incremental fetch session (KIP-227): the partitions a client fetches, in the order they are read, each with
/// what the session last sent of it, so an incremental response lists only partitions with something new. Its
/// methods lock the session: a client sends one fetch at a time, but a confused one sending two must not corrupt it.
/// </summary>
internal sealed class FetchSession(int id, bool usesTopicIds)
{
    private readonly LinkedList<Partition> _order = new();
    private readonly Dictionary<FetchSessionKey, LinkedListNode<Partition>> _partitions = new();
    private int _nextEpoch = FetchSessionEpochs.First;

    public int Id { get; } = id;

    /// <summary>True when created by Fetch v13+, whose requests name topics by id; an older request can't continue it, nor the reverse.</summary>
    public bool UsesTopicIds { get; } = usesTopicIds;

    /// <summary>When the session was last used, in <see cref="TimeProvider.GetTimestamp"/> units; kept by the cache under its lock.</summary>
    internal long LastUsed { get; set; }

    public int Count
    {
        get { lock (_order) return _partitions.Count; }
    }

    /// <summary>The epoch the next incremental request must carry.</summary>
    public int NextEpoch
    {
        get { lock (_order) return _nextEpoch; }
    }

    private sealed class Partition(FetchSessionEntry entry)
    {
        public FetchSessionEntry Entry { get; set; } = entry;

        /// <summary>High watermark, last stable offset and log start offset as last sent; null until sent.</summary>
        public (long HighWatermark, long LastStableOffset, long LogStartOffset)? Sent { get; set; }
    }

    /// <summary>Adds the partitions a session is created with, in request order.</summary>
    public void AddInitial(IEnumerable<FetchSessionEntry> entries)
    {
        lock (_order)
            foreach (var entry in entries) Upsert(entry);
    }

    /// <summary>
    /// An incremental request: checks its naming and epoch, then adds or updates its partitions, drops the forgotten
    /// ones and advances the epoch. Returns the error to answer with, and otherwise every partition of the session
    /// in the order to read them.
    /// </summary>
    public ErrorCode Update(int epoch, bool usesTopicIds, IEnumerable<FetchSessionEntry> entries, IEnumerable<FetchSessionKey> forgotten,
        out FetchSessionEntry[] partitions)
    {
        lock (_order)
        {
            partitions = [];
            if (usesTopicIds != UsesTopicIds) return ErrorCode.FetchSessionTopicIdError;
            if (epoch != _nextEpoch) return ErrorCode.InvalidFetchSessionEpoch;
            foreach (var entry in entries) Upsert(entry);
            foreach (var key in forgotten)
                if (_partitions.Remove(key, out var node)) _order.Remove(node);
            _nextEpoch = FetchSessionEpochs.Next(_nextEpoch);
            partitions = _order.Select(p => p.Entry).ToArray();
            return ErrorCode.None;
        }
    }

    private void Upsert(FetchSessionEntry entry)
    {
        if (_partitions.TryGetValue(entry.Key, out var node)) node.Value.Entry = entry;
        else _partitions.Add(entry.Key, _order.AddLast(new Partition(entry)));
    }

    /// <summary>
    /// Whether a response lists this partition, given what it would send; records what is sent. A full response lists
    /// every partition. An incremental one lists a partition with records, an error, a high watermark, last stable
    /// offset or log start offset other than last sent, or never sent; one that returns records moves to the end of
    /// the order, as in Kafka, so one busy partition can't keep a response's max_bytes from the others.
    /// </summary>
    public bool Answer(FetchSessionKey key, long highWatermark, long lastStableOffset, long logStartOffset, bool hasRecords, ErrorCode error, bool incremental)
    {
        lock (_order)
        {
            // Forgotten by a request that overtook this one: nothing to keep, but a full response still lists it.
            if (!_partitions.TryGetValue(key, out var node)) return !incremental;
            var partition = node.Value;
            var sent = (highWatermark, lastStableOffset, logStartOffset);
            var answer = !incremental || hasRecords || error != ErrorCode.None || partition.Sent != sent;
            if (!answer) return false;
            partition.Sent = sent;
            if (incremental && hasRecords)
            {
                _order.Remove(node);
                _order.AddLast(node);
            }
            return true;
        }
    }

    /// <summary>The session's partitions in read order (for tests and diagnostics).</summary>
    public FetchSessionEntry[] Partitions()
    {
        lock (_order) return _order.Select(p => p.Entry).ToArray();
    }
}
