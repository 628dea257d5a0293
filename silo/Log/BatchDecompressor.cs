using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Hub.Batches;
using K4os.Compression.LZ4.Streams;
using Snappier;
using ZstdSharp;

namespace Hub.Silo.Log;

/// <summary>
/// Decompresses the records section of a compressed v2 batch with Kafka's codecs: gzip; snappy, raw (librdkafka,
/// kafkajs) or in xerial's framing (the Java client); lz4 in the LZ4 frame format; zstd. Damaged input makes the
/// codec throw, whatever exception that is; callers treat any as a corrupt batch.
/// </summary>
internal static class BatchDecompressor
{
    /// <summary>What a stream-based codec is asked for at a time.</summary>
    private const int ReadChunk = 64 * 1024;

    /// <summary>xerial's snappy framing: this magic, a version and a compatible version (int32s), then blocks of int32 length + raw snappy.</summary>
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    private const int XerialHeaderSize = 16;

    /// <summary>
    /// Most a batch may decompress to. Producers cap a batch's uncompressed size (batch.size, about 1 MiB by
    /// default), so this leaves room for large batches while a few compressed bytes crafted to expand to
    /// gigabytes (a "zip bomb") can't take the silo's memory.
    /// </summary>
    private const int MaxDecompressedBytes = 64 << 20;

    /// <summary>First guess at the decompressed size, as a multiple of the compressed size (the buffer grows past it).</summary>
    private const int ExpectedCompressionRatio = 4;

    /// <summary>
    /// The compressed <paramref name="batch"/> as the uncompressed batch it stands for: a copy of its header
    /// (marked uncompressed, its length fitted) followed by the decompressed records, in a pooled buffer the
    /// caller disposes. <see cref="RecordReader"/> walks it like any uncompressed batch.
    /// </summary>
    public static PooledBufferWriter DecompressBatch(ReadOnlyMemory<byte> batch, in RecordBatchHeader header)
    {
        var compressed = batch[RecordBatchLayout.HeaderSize..header.TotalSize];
        var plain = new PooledBufferWriter(
            RecordBatchLayout.HeaderSize + (int)Math.Min((long)compressed.Length * ExpectedCompressionRatio, MaxDecompressedBytes), MaxDecompressedBytes);
        try
        {
            batch.Span[..RecordBatchLayout.HeaderSize].CopyTo(plain.GetSpan(RecordBatchLayout.HeaderSize));
            plain.Advance(RecordBatchLayout.HeaderSize);
            Decompress(header.Compression, compressed, plain);
            var uncompressed = plain.WrittenMemory.Span;
            BinaryPrimitives.WriteInt32BigEndian(uncompressed[RecordBatchLayout.BatchLength..], uncompressed.Length - RecordBatchLayout.LogOverhead);
            BinaryPrimitives.WriteInt16BigEndian(uncompressed[RecordBatchLayout.Attributes..], (short)(header.Attributes & ~RecordBatchLayout.CompressionMask));
            return plain;
        }
        catch
        {
            plain.Dispose();
            throw;
        }
    }

    /// <summary>Appends what <paramref name="compressed"/> decompresses to with <paramref name="codec"/> to <paramref name="output"/>.</summary>
    private static void Decompress(CompressionType codec, ReadOnlyMemory<byte> compressed, PooledBufferWriter output)
    {
        switch (codec)
        {
            case CompressionType.Gzip:
                using (var input = AsStream(compressed))
                using (var gzip = new GZipStream(input, CompressionMode.Decompress))
                    CopyTo(gzip, output);
                break;
            case CompressionType.Snappy:
                DecompressSnappy(compressed.Span, output);
                break;
            case CompressionType.Lz4:
                LZ4Frame.Decode(compressed.Span, output);
                break;
            case CompressionType.Zstd:
                using (var input = AsStream(compressed))
                using (var zstd = new DecompressionStream(input))
                    CopyTo(zstd, output);
                break;
            default:
                throw new InvalidDataException($"unknown compression codec {(int)codec}");
        }
    }

    private static void DecompressSnappy(ReadOnlySpan<byte> compressed, PooledBufferWriter output)
    {
        if (!compressed.StartsWith(XerialMagic))
        {
            DecompressSnappyBlock(compressed, output);
            return;
        }
        if (compressed.Length < XerialHeaderSize) throw new InvalidDataException("truncated xerial snappy header");
        for (var rest = compressed[XerialHeaderSize..]; !rest.IsEmpty;)
        {
            if (rest.Length < 4) throw new InvalidDataException("truncated xerial snappy block length");
            var length = BinaryPrimitives.ReadInt32BigEndian(rest);
            if (length < 0 || length > rest.Length - 4) throw new InvalidDataException($"xerial snappy block of {length} bytes runs past the batch");
            DecompressSnappyBlock(rest.Slice(4, length), output);
            rest = rest[(4 + length)..];
        }
    }

    private static void DecompressSnappyBlock(ReadOnlySpan<byte> block, PooledBufferWriter output)
    {
        var length = Snappy.GetUncompressedLength(block);
        var written = Snappy.Decompress(block, output.GetSpan(length)[..length]);
        output.Advance(written);
    }

    private static void CopyTo(Stream source, PooledBufferWriter output)
    {
        int read;
        while ((read = source.Read(output.GetSpan(ReadChunk))) > 0) output.Advance(read);
    }

    /// <summary>A read-only stream over the bytes, without copying them when they sit in an array (as Orleans hands them over).</summary>
    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
}
