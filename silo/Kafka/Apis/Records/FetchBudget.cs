namespace Hub.Silo.Kafka.Apis.Records;

/// <summary>What one partition of a Fetch may read: up to <see cref="Bytes"/>, or its first batch whole when <see cref="WholeFirstBatch"/>.</summary>
internal readonly record struct FetchAllotment(int Bytes, bool WholeFirstBatch)
{
    /// <summary>Nothing at all: the read only reports the partition's state (high watermark, log start, errors).</summary>
    public bool ReadsNothing => Bytes == 0 && !WholeFirstBatch;
}

/// <summary>
/// Kafka's rule for a Fetch response's max_bytes (its ReplicaManager's readFromLog): partitions are served in request
/// order, each up to its own max bytes and what is left of the response's; until the response holds records, the
/// first batch goes whole even if larger (so a consumer passes a batch above its limits); partitions after the budget
/// is spent get none, and nothing is read for them. Hub reads the partitions of a round in parallel, so a partition
/// is allotted its share before the ones ahead of it answered: an allotment counts as spent until its answer is in
/// (<see cref="Settle"/>), and only one allotment at a time may take a whole first batch. Bytes read thus stay within
/// the budget plus one batch. The reads' answers settle from many threads at once, hence the lock: a lost update
/// would leave the budget spent with nothing read, and the next share a whole first batch of 0 bytes, which the
/// partition refuses (INVALID_FETCH_SIZE).
/// </summary>
internal sealed class FetchBudget(int maxBytes)
{
    private readonly Lock _lock = new();
    private long _unallotted = Math.Max(maxBytes, 0);
    private bool _wholeBatchAllotted;
    private bool _hasRecords;

    /// <summary>True once a partition returned records.</summary>
    public bool HasRecords
    {
        get { lock (_lock) return _hasRecords; }
    }

    /// <summary>True when no partition can be given anything more (between rounds, when every allotment is settled).</summary>
    public bool IsSpent
    {
        get { lock (_lock) return _unallotted <= 0 && _hasRecords; }
    }

    /// <summary>The share of the next partition (in request order) whose own limit is <paramref name="partitionMaxBytes"/>.</summary>
    public FetchAllotment Allot(int partitionMaxBytes)
    {
        lock (_lock)
        {
            var bytes = (int)Math.Clamp(_unallotted, 0, Math.Max(partitionMaxBytes, 0));
            var whole = !_hasRecords && !_wholeBatchAllotted;
            _wholeBatchAllotted |= whole;
            _unallotted -= bytes;
            return new FetchAllotment(bytes, whole);
        }
    }

    /// <summary>The answer to <paramref name="allotment"/> came with <paramref name="read"/> bytes: what it left unused is free again.</summary>
    public void Settle(FetchAllotment allotment, int read)
    {
        lock (_lock)
        {
            _unallotted += allotment.Bytes - read;
            if (read > 0) _hasRecords = true;
            if (allotment.WholeFirstBatch) _wholeBatchAllotted = false;
        }
    }
}
