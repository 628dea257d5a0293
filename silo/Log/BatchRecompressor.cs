using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Errors;

namespace Hub.Silo.Log;

/// <summary>
/// Stores an append's batch with the topic's compression.type when that names a codec (not "producer"), as
/// Kafka's leader does (LogValidator): a batch that came with another codec is rewritten with the topic's. Kafka
/// keeps the batch's producer id, producer epoch, base sequence and transactional flag and the records' own
/// offsets and timestamps, and recomputes the max timestamp; here the batch is rewritten with its whole header
/// kept (the records and so their max timestamp are the same), so its sequence range, offsets and timestamps are
/// what the producer sent and only the codec bits, length and CRC change. Control batches never need it: clients
/// may not write them (see <see cref="RecordBatchValidator"/>). Followers copy the leader's bytes, so only the
/// leader recompresses.
/// </summary>
internal static class BatchRecompressor
{
    /// <summary>True when some batch of the validated append must be stored with <paramref name="codec"/> instead of its own.</summary>
    public static bool IsNeeded(ValidatedBatches validated, CompressionType codec)
    {
        foreach (ref readonly var batch in validated.Batches)
        {
            if (batch.Header.Compression != codec) return true;
        }
        return false;
    }

    /// <summary>
    /// The append's one batch as it is to be stored, in a pooled buffer the caller disposes once written; its
    /// position and header in <paramref name="validated"/> are changed to match. Refused with INVALID_RECORD when
    /// the append holds more than one batch, as Kafka's leader refuses one it must rewrite ("Compressed outer record
    /// has more than one batch"): the rewritten copy is then one batch, however many small bombs a request carries.
    /// Refused with MESSAGE_TOO_LARGE when the batch would be stored over the topic's <paramref name="maxBatchBytes"/>
    /// (Kafka checks sizes again after recompressing), or when it is more than
    /// <see cref="RecordBatchCompression.MaxDecompressedBytes"/> uncompressed: stored compressed, no reader could
    /// decompress it.
    /// </summary>
    public static PooledBufferWriter Recompress(ReadOnlyMemory<byte> batches, ValidatedBatches validated, CompressionType codec, int maxBatchBytes)
    {
        if (validated.Count != 1)
            throw new HubException(ErrorCode.InvalidRecord,
                $"the topic's compression.type ({codec}) has this append rewritten, which takes exactly one batch; {validated.Count} came");
        var header = validated.Batches[0].Header;
        var bytes = batches.Slice(validated.Batches[0].Position, header.TotalSize);
        var output = RecordBatchCompression.NewCompressedOutput(bytes.Length);
        try
        {
            if (header.Compression == CompressionType.None)
            {
                if (bytes.Length > RecordBatchCompression.MaxDecompressedBytes)
                    throw TooLarge($"{bytes.Length} bytes uncompressed, more than the {RecordBatchCompression.MaxDecompressedBytes} a compressed batch may expand to");
                RecordBatchCompression.Compress(bytes.Span, codec, output);
            }
            else
            {
                // Validation decompressed it already and let that copy go: keeping it would hold up to 64 MiB through
                // every compressed append for the rare one rewritten.
                using var plain = RecordBatchCompression.Decompress(bytes, header);
                if (codec == CompressionType.None && plain.Length > maxBatchBytes)
                    throw TooLarge($"{plain.Length} bytes once stored uncompressed, over the topic's limit of {maxBatchBytes}");
                RecordBatchCompression.Compress(plain.WrittenMemory.Span, codec, output);
            }
            if (!RecordBatchHeader.TryRead(output.WrittenMemory.Span, out var stored))
                throw new InvalidOperationException("the recompressed batch has no whole header");
            if (stored.TotalSize > maxBatchBytes)
                throw TooLarge($"{stored.TotalSize} bytes once stored with {codec}, over the topic's limit of {maxBatchBytes}");
            validated.Replace(0, 0, stored);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private static HubException TooLarge(string problem) => new(ErrorCode.MessageTooLarge, $"the batch is {problem}");
}
