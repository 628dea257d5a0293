using Hub.Batches;

namespace Hub.Client.Producing;

/// <summary>
/// An idempotent producer's numbering of one partition's batches (Kafka's per-partition sequence state): the
/// epoch they carry and the next base sequence. A batch that took a sequence and then failed leaves the
/// partition unsure whether that sequence was stored; the next batch could then meet a gap. So such a failure
/// asks for an epoch bump (KIP-360), done once none of the partition's batches is unfinished: a new epoch
/// starts again at sequence 0, which the partition accepts whatever it stored before. Not thread-safe: the
/// partition queue calls it under its lock.
/// </summary>
internal sealed class PartitionSequence
{
    private int _next;

    public short Epoch { get; private set; }

    public bool BumpPending { get; private set; }

    /// <summary>
    /// Whether the partition has stored a batch of this epoch, and so knows where its sequence stands. Until
    /// then it would take any sequence (as Kafka's partitions do, since producer state may expire), so a batch
    /// that overtook a refused first one would be stored ahead of it: the first batch of an epoch goes alone.
    /// </summary>
    public bool Confirmed { get; private set; }

    public void Confirm() => Confirmed = true;

    /// <summary>The base sequence for a batch of <paramref name="recordCount"/> records, and moves past it.</summary>
    public int Take(int recordCount)
    {
        var first = _next;
        _next = ProducerStamp.AddToSequence(_next, recordCount);
        return first;
    }

    public void RequestBump() => BumpPending = true;

    /// <summary>Back to the start: the producer's epoch changed (a transactional producer's, from its coordinator).</summary>
    public void Reset()
    {
        Epoch = 0;
        StartSequences();
    }

    /// <summary>
    /// A new epoch, sequences from 0. The epoch stops at short.MaxValue (32,767 bumps of one partition in one
    /// producer's life); batches after that would be refused, where Kafka's producer would take a new id.
    /// </summary>
    public void Bump()
    {
        if (Epoch < short.MaxValue) Epoch++;
        StartSequences();
    }

    private void StartSequences()
    {
        _next = 0;
        BumpPending = false;
        Confirmed = false;
    }
}
