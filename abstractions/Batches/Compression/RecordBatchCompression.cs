using System.Buffers.Binary;

namespace Hub.Batches.Compression;

/// <summary>
/// Turns a v2 batch whose records section is compressed (attributes bits 0-2, <see cref="KafkaCodecs"/>) into the
/// uncompressed batch it stands for, and back: the header is kept but for its length, codec bits and CRC. Every
/// reader of records (the broker's validation and lookups, the SDK's consumers, the stream provider) decompresses
/// through here, and the SDK producer and the broker's recompression compress through here.
/// </summary>
internal static class RecordBatchCompression
{
    /// <summary>
    /// Most one batch may decompress to. Producers cap a batch's uncompressed size (batch.size, a MiB or less;
    /// the broker's max.message.bytes is about 1 MiB too), so 64 times that leaves room for large batches while a
    /// few compressed bytes crafted to expand to gigabytes (a decompression bomb) can't take a process's memory.
    /// </summary>
    public const int MaxDecompressedBytes = 64 << 20;

    /// <summary>First guess at the decompressed size, as a multiple of the compressed size (the buffer grows past it).</summary>
    private const int ExpectedCompressionRatio = 4;

    /// <summary>
    /// No limit of its own for compressed output: its input is one batch this process holds already (a producer's,
    /// at most its batch.size; or the one batch a leader rewrites, at most <see cref="MaxDecompressedBytes"/>), and
    /// the codecs add at most a few bytes per block to it.
    /// </summary>
    private const int MaxCompressedBytes = int.MaxValue;

    /// <summary>
    /// The compressed <paramref name="batch"/> as the uncompressed batch it stands for, in a pooled buffer the
    /// caller disposes: a copy of its header (codec bits cleared, length fitted, CRC left as it was) followed by
    /// the decompressed records. <see cref="RecordReader"/> walks it like any uncompressed batch. Throws
    /// <see cref="InvalidDataException"/> when the records don't decompress or would pass <see cref="MaxDecompressedBytes"/>.
    /// </summary>
    public static PooledBufferWriter Decompress(ReadOnlyMemory<byte> batch, in RecordBatchHeader header)
    {
        var compressed = batch[RecordBatchLayout.HeaderSize..header.TotalSize];
        var plain = new PooledBufferWriter(
            RecordBatchLayout.HeaderSize + (int)Math.Min((long)compressed.Length * ExpectedCompressionRatio, MaxDecompressedBytes), MaxDecompressedBytes);
        try
        {
            batch.Span[..RecordBatchLayout.HeaderSize].CopyTo(plain.GetSpan(RecordBatchLayout.HeaderSize));
            plain.Advance(RecordBatchLayout.HeaderSize);
            KafkaCodecs.Decompress(header.Compression, compressed, plain);
            var uncompressed = plain.WrittenMemory.Span;
            BinaryPrimitives.WriteInt32BigEndian(uncompressed[RecordBatchLayout.BatchLength..], uncompressed.Length - RecordBatchLayout.LogOverhead);
            BinaryPrimitives.WriteInt16BigEndian(uncompressed[RecordBatchLayout.Attributes..], (short)(header.Attributes & ~RecordBatchLayout.CompressionMask));
            return plain;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            plain.Dispose();
            // Each codec library signals damage its own way; to a reader they are all one kind of problem.
            throw new InvalidDataException($"the {header.Compression} records of the batch at offset {header.BaseOffset} do not decompress: {e.Message}", e);
        }
    }

    /// <summary>
    /// <see cref="Decompress"/> with the CRC recomputed, so the pooled result is a valid uncompressed batch: what the
    /// SDK's consumers hand to applications (<c>ConsumedBatch.Bytes</c>), which may check or forward it.
    /// </summary>
    public static PooledBufferWriter DecompressToBatch(ReadOnlyMemory<byte> batch, in RecordBatchHeader header)
    {
        var plain = Decompress(batch, header);
        var bytes = plain.WrittenMemory.Span;
        BinaryPrimitives.WriteUInt32BigEndian(bytes[RecordBatchLayout.Crc..], RecordBatchHeader.ComputeCrc(bytes));
        return plain;
    }

    /// <summary>
    /// <see cref="DecompressToBatch"/> into an array of its own, for readers that hand records to applications with
    /// no bound on how long they are kept (the SDK's consumers by default): the pooled buffer can't be lent that long.
    /// </summary>
    public static byte[] DecompressToArray(ReadOnlyMemory<byte> batch, in RecordBatchHeader header)
    {
        using var plain = DecompressToBatch(batch, header);
        return plain.WrittenMemory.ToArray();
    }

    /// <summary>
    /// Appends <paramref name="uncompressedBatch"/> (one whole batch, header filled in) compressed with
    /// <paramref name="codec"/> (or as it is, for <see cref="CompressionType.None"/>) to <paramref name="output"/>:
    /// its header with the codec's bits, the fitted length and a new CRC, then the records. Offsets, sequences and
    /// timestamps stay as they were.
    /// </summary>
    public static void Compress(ReadOnlySpan<byte> uncompressedBatch, CompressionType codec, PooledBufferWriter output)
    {
        var start = output.Length;
        uncompressedBatch[..RecordBatchLayout.HeaderSize].CopyTo(output.GetSpan(RecordBatchLayout.HeaderSize));
        output.Advance(RecordBatchLayout.HeaderSize);
        KafkaCodecs.Compress(codec, uncompressedBatch[RecordBatchLayout.HeaderSize..], output);
        var batch = output.WrittenMemory.Span[start..];
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchLayout.Attributes..]);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.Attributes..], (short)((attributes & ~RecordBatchLayout.CompressionMask) | (int)codec));
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BatchLength..], batch.Length - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchLayout.Crc..], RecordBatchHeader.ComputeCrc(batch));
    }

    /// <summary>A writer for <see cref="Compress"/>'s output, pooled; <paramref name="expectedBytes"/> is a first guess.</summary>
    public static PooledBufferWriter NewCompressedOutput(int expectedBytes) => new(expectedBytes, MaxCompressedBytes);
}
