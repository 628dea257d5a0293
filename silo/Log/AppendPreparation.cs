using Hub.Batches.Compression;
using Hub.Silo.Topics;
using Hub.Topics;

namespace Hub.Silo.Log;

/// <summary>
/// The costly part of an append, done before its partition takes it and off the partition grain's turn:
/// decompressing compressed batches to validate their records (up to
/// <see cref="RecordBatchValidator.MaxDecompressedBytesPerAppend"/>), and rewriting a batch in the topic's
/// compression.type (<see cref="BatchRecompressor"/>). Either takes up to a few hundred milliseconds, in which the
/// grain goes on serving fetches and other appends; the log's append then validates without decompressing again and
/// finds nothing to rewrite. At most <see cref="Slots"/> preparations run at once in a silo; the others wait their
/// turn, so produced batches can take no more than that many cores and that many decompression buffers, whatever
/// arrives. One instance per silo.
/// </summary>
internal sealed class AppendPreparation
{
    /// <summary>Half the cores (one on a two-core machine): the rest stay free for Orleans (its membership probes) and other requests.</summary>
    public static readonly int Slots = Math.Max(1, Environment.ProcessorCount / 2);

    private readonly SemaphoreSlim _slots = new(Slots, Slots);

    /// <summary>
    /// An append ready for <see cref="SegmentLog.Append"/>: <see cref="CompressedRecordsChecked"/> when its
    /// compressed records were validated, and <see cref="Rewritten"/>, the batch to store instead of the one that
    /// came, when the topic's compression.type rewrote it (the caller disposes it once the append is done).
    /// </summary>
    public readonly record struct Prepared(bool CompressedRecordsChecked, PooledBufferWriter? Rewritten);

    /// <summary>
    /// Validates and rewrites <paramref name="batches"/> on the thread pool when they hold a compressed batch or the
    /// topic's compression.type names a codec; otherwise does nothing (an uncompressed append validates cheaply in
    /// the log). Record timestamps are checked against the topic's bounds at <paramref name="nowMs"/>. Throws what
    /// validation and rewriting throw.
    /// </summary>
    public async Task<Prepared> PrepareAsync(ReadOnlyMemory<byte> batches, TopicConfig config, long nowMs)
    {
        var codec = TopicCompression.StoredCodec(config);
        var compressed = RecordBatchValidator.HasCompressedBatch(batches.Span);
        if (!compressed && codec is null) return default;
        await _slots.WaitAsync();
        try
        {
            return await Task.Run(() =>
            {
                var validated = new ValidatedBatches();
                RecordBatchValidator.Validate(batches, config.MaxMessageBytes, validated, keysRequired: CleanupPolicies.IsCompacted(config),
                    timestamps: TimestampBounds.For(config, nowMs));
                // A compressed batch's records are not walked again in the log, so its max timestamp is set here.
                var corrected = validated.MaxTimestampsDiffer(batches.Span) ? WithMaxTimestamps(batches, validated) : null;
                PooledBufferWriter? rewritten;
                try
                {
                    rewritten = codec is { } stored && BatchRecompressor.IsNeeded(validated, stored)
                        ? BatchRecompressor.Recompress(corrected?.WrittenMemory ?? batches, validated, stored, config.MaxMessageBytes)
                        : null;
                }
                catch
                {
                    corrected?.Dispose();
                    throw;
                }
                if (rewritten is null) return new Prepared(true, corrected);
                corrected?.Dispose();
                return new Prepared(true, rewritten);
            });
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>A copy of <paramref name="batches"/> with the max timestamps validation found (<see cref="ValidatedBatches.WriteMaxTimestamps"/>).</summary>
    private static PooledBufferWriter WithMaxTimestamps(ReadOnlyMemory<byte> batches, ValidatedBatches validated)
    {
        var copy = new PooledBufferWriter(batches.Length, batches.Length);
        batches.Span.CopyTo(copy.GetSpan(batches.Length));
        copy.Advance(batches.Length);
        validated.WriteMaxTimestamps(copy.WrittenMemory.Span);
        return copy;
    }
}
