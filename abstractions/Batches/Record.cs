namespace Hub.Batches;

/// <summary>
/// One record read out of a batch. Key, value and header bytes are slices of the batch's buffer (no copies);
/// a null key or value is <c>null</c>, an empty one is an empty slice.
/// </summary>
public readonly record struct Record(
    long Offset,
    long Timestamp,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    int HeaderCount,
    ReadOnlyMemory<byte> HeaderBytes)
{
    /// <summary>Decodes the headers (allocates; call only when the headers are wanted).</summary>
    public IReadOnlyList<RecordHeader> DecodeHeaders()
    {
        if (HeaderCount == 0) return [];
        var headers = new RecordHeader[HeaderCount];
        var span = HeaderBytes.Span;
        var position = 0;
        for (var i = 0; i < HeaderCount; i++)
        {
            var key = RecordReader.ReadNullableBytes(HeaderBytes, span, ref position)
                ?? throw new InvalidDataException("record header with a null key");
            var value = RecordReader.ReadNullableBytes(HeaderBytes, span, ref position);
            headers[i] = new RecordHeader(System.Text.Encoding.UTF8.GetString(key.Span), value);
        }
        return headers;
    }
}
