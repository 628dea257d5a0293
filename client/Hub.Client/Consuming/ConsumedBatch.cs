using Hub.Batches;

namespace Hub.Client;

/// <summary>
/// The records of one fetched record batch of one partition, as <see cref="HubConsumer.ConsumeBatchesAsync"/>
/// hands them out: the cheapest way to read, as a batch holds up to thousands of records and walking them
/// allocates nothing. Keys, values and headers are slices of the fetched bytes, like a <see cref="ConsumeResult"/>'s.
/// </summary>
public readonly struct ConsumedBatch
{
    internal ConsumedBatch(string topic, int partition, ReadOnlyMemory<byte> bytes, long firstOffset, long lastOffset)
    {
        Topic = topic;
        Partition = partition;
        Bytes = bytes;
        FirstOffset = firstOffset;
        LastOffset = lastOffset;
    }

    public string Topic { get; }

    public int Partition { get; }

    /// <summary>
    /// Offset of the first record the batch yields: a fetch starts with the whole batch holding the consumer's
    /// position, and records before the position are skipped.
    /// </summary>
    public long FirstOffset { get; }

    /// <summary>Offset of the batch's last record; the partition's position is one past it once the batch is handed out.</summary>
    public long LastOffset { get; }

    /// <summary>
    /// The whole batch in Kafka's v2 format (records before <see cref="FirstOffset"/> included), uncompressed: a
    /// batch stored compressed arrives decompressed, its header saying so (codec bits clear, length and CRC fitted).
    /// </summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Walks the records from <see cref="FirstOffset"/> on.</summary>
    public Enumerator GetEnumerator() => new(new RecordReader(Bytes), FirstOffset);

    public struct Enumerator
    {
        private readonly long _firstOffset;
        private RecordReader _reader;

        internal Enumerator(RecordReader reader, long firstOffset)
        {
            _reader = reader;
            _firstOffset = firstOffset;
        }

        public readonly Record Current => _reader.Current;

        public bool MoveNext()
        {
            while (_reader.MoveNext())
            {
                if (_reader.Current.Offset >= _firstOffset) return true;
            }
            return false;
        }
    }
}
