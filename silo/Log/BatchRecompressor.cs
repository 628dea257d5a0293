using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Errors;

namespace Hub.Silo.Log;

/// <summary>
/// Stores an append's batches with the topic's compression.type when that names a codec (not "producer"), as
/// Kafka's leader does (LogValidator): a batch that came with another codec is rewritten with the topic's. Kafka
/// keeps the first batch's producer id, producer epoch, base sequence and transactional flag and the records'
/// own offsets and timestamps, and recomputes the max timestamp; here every batch is rewritten on its own with its
/// whole header kept (the records and so their max timestamp are the same), so a batch's sequence range, its
/// offsets and its timestamps are what the producer sent and only the codec bits, length and CRC change. Like
/// Kafka, an uncompressed control batch stays uncompressed. Followers copy the leader's bytes, so only the leader
/// recompresses.
/// </summary>
internal static class BatchRecompressor
{
    /// <summary>True when some batch of the validated append must be stored with <paramref name="codec"/> instead of its own.</summary>
    public static bool IsNeeded(ValidatedBatches validated, CompressionType codec)
    {
        foreach (ref readonly var batch in validated.Batches)
        {
            if (Rewrites(batch.Header, codec)) return true;
        }
        return false;
    }

    /// <summary>
    /// The append's batches as they are to be stored, in a pooled buffer the caller disposes once written; the
    /// positions and headers in <paramref name="validated"/> are changed to match. A rewritten batch over the
    /// topic's <paramref name="maxBatchBytes"/> is refused with MESSAGE_TOO_LARGE, as Kafka checks sizes again
    /// after recompressing.
    /// </summary>
    public static PooledBufferWriter Recompress(ReadOnlyMemory<byte> batches, ValidatedBatches validated, CompressionType codec, int maxBatchBytes)
    {
        var output = RecordBatchCompression.NewCompressedOutput(batches.Length);
        try
        {
            for (var i = 0; i < validated.Count; i++)
            {
                var batch = validated.Batches[i];
                var bytes = batches.Slice(batch.Position, batch.Header.TotalSize);
                var position = output.Length;
                if (!Rewrites(batch.Header, codec))
                {
                    bytes.Span.CopyTo(output.GetSpan(bytes.Length));
                    output.Advance(bytes.Length);
                }
                else if (batch.Header.Compression == CompressionType.None)
                {
                    RecordBatchCompression.Compress(bytes.Span, codec, output);
                }
                else
                {
                    // Validation decompressed it already, so it decompresses again.
                    using var plain = RecordBatchCompression.Decompress(bytes, batch.Header);
                    RecordBatchCompression.Compress(plain.WrittenMemory.Span, codec, output);
                }
                RecordBatchHeader.TryRead(output.WrittenMemory.Span[position..], out var stored);
                if (stored.TotalSize > maxBatchBytes)
                    throw new HubException(ErrorCode.MessageTooLarge,
                        $"batch {i} is {stored.TotalSize} bytes once stored with {codec}, over the topic's limit of {maxBatchBytes}");
                validated.Replace(i, position, stored);
            }
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private static bool Rewrites(in RecordBatchHeader header, CompressionType codec) =>
        header.Compression != codec && !(header.IsControl && header.Compression == CompressionType.None);
}
