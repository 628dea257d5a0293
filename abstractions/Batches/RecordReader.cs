namespace Hub.Batches;

/// <summary>
/// Walks the records of one uncompressed v2 batch:
/// <code>
/// length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
/// keyLength varint | key | valueLength varint | value | headerCount varint |
/// (headerKeyLength varint | headerKey | headerValueLength varint | headerValue)*
/// </code>
/// Throws <see cref="InvalidDataException"/> on a malformed record, never reads outside the batch. A compressed
/// batch is walked as the uncompressed batch <see cref="Compression.RecordBatchCompression"/> turns it into.
/// A record of a batch stamped with log-append time has the batch's max timestamp (the time its leader appended it)
/// as its timestamp, whatever its producer wrote, as Kafka's clients read it.
/// </summary>
public struct RecordReader
{
    private readonly ReadOnlyMemory<byte> _batch;
    private readonly RecordBatchHeader _header;
    private int _position;
    private int _remaining;

    /// <param name="batch">Exactly one whole batch, header included.</param>
    public RecordReader(ReadOnlyMemory<byte> batch)
    {
        if (!RecordBatchHeader.TryRead(batch.Span, out _header) || _header.TotalSize > batch.Length)
            throw new InvalidDataException("truncated record batch");
        if (_header.Compression != CompressionType.None)
            throw new InvalidDataException($"batch is compressed with {_header.Compression}; decompress it first");
        _batch = batch[.._header.TotalSize];
        _position = RecordBatchLayout.HeaderSize;
        _remaining = _header.RecordCount;
        Current = default;
    }

    public readonly RecordBatchHeader Header => _header;

    public Record Current { get; private set; }

    /// <summary>Moves to the next record; false after the last. Checks the batch's record count matches its bytes.</summary>
    public bool MoveNext()
    {
        // Runs once per record for every produced and every consumed record: fields are located as positions
        // in the span and turned into memory slices only once the whole record has checked out.
        var span = _batch.Span;
        if (_remaining == 0)
        {
            if (_position != span.Length) throw new InvalidDataException("bytes left over after the last record");
            return false;
        }
        if (!Varint.TryReadInt32(span, ref _position, out var length) || length < 0 || length > span.Length - _position)
            throw new InvalidDataException("bad record length");
        var end = _position + length;
        var record = span[..end];
        var p = _position + 1; // attributes: unused in v2
        if (!Varint.TryReadInt64(record, ref p, out var timestampDelta) || !Varint.TryReadInt32(record, ref p, out var offsetDelta))
            throw new InvalidDataException("bad record timestamp or offset delta");
        var keyLength = ReadLength(record, ref p);
        var keyStart = p;
        p += Math.Max(keyLength, 0);
        var valueLength = ReadLength(record, ref p);
        var valueStart = p;
        p += Math.Max(valueLength, 0);
        if (!Varint.TryReadInt32(record, ref p, out var headerCount) || headerCount < 0)
            throw new InvalidDataException("bad record header count");
        var headersStart = p;
        for (var i = 0; i < headerCount; i++)
        {
            var headerKeyLength = ReadLength(record, ref p);
            if (headerKeyLength < 0) throw new InvalidDataException("record header with a null key");
            p += headerKeyLength;
            var headerValueLength = ReadLength(record, ref p);
            p += Math.Max(headerValueLength, 0);
        }
        if (p != end) throw new InvalidDataException("record length does not match its fields");
        var timestamp = (_header.Attributes & RecordBatchLayout.TimestampTypeLogAppendTime) != 0 ? _header.MaxTimestamp : _header.BaseTimestamp + timestampDelta;
        Current = new Record(_header.BaseOffset + offsetDelta, timestamp,
            keyLength < 0 ? (ReadOnlyMemory<byte>?)null : _batch.Slice(keyStart, keyLength),
            valueLength < 0 ? (ReadOnlyMemory<byte>?)null : _batch.Slice(valueStart, valueLength),
            headerCount, _batch[headersStart..end]);
        _position = end;
        _remaining--;
        return true;
    }

    /// <summary>Reads a varint length that must be -1 (null) or fit in what is left of <paramref name="span"/>.</summary>
    private static int ReadLength(ReadOnlySpan<byte> span, ref int position)
    {
        if (!Varint.TryReadInt32(span, ref position, out var length) || length < -1 || length > span.Length - position)
            throw new InvalidDataException("bad length in record");
        return length;
    }

    /// <summary>Reads a varint length and that many bytes; length -1 is null.</summary>
    internal static ReadOnlyMemory<byte>? ReadNullableBytes(ReadOnlyMemory<byte> memory, ReadOnlySpan<byte> span, ref int position)
    {
        if (!Varint.TryReadInt32(span, ref position, out var length) || length < -1 || length > span.Length - position)
            throw new InvalidDataException("bad length in record");
        if (length == -1) return null;
        var slice = memory.Slice(position, length);
        position += length;
        return slice;
    }
}
