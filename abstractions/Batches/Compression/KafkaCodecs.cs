using System.IO.Compression;
using System.Runtime.InteropServices;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using ZstdSharp;

namespace Hub.Batches.Compression;

/// <summary>
/// Kafka's record-batch codecs over whole buffers: gzip; snappy (see <see cref="SnappyCodec"/>); lz4 in the LZ4
/// frame format; zstd. Damaged input makes the codec library throw, whatever exception that is:
/// <see cref="RecordBatchCompression"/> turns any into one clear error.
/// </summary>
internal static class KafkaCodecs
{
    /// <summary>What a stream-based decoder is asked for at a time.</summary>
    private const int ReadChunk = 64 * 1024;

    /// <summary>zstd's level when Kafka's compression.zstd.level is left at its default.</summary>
    private const int ZstdLevel = 3;

    /// <summary>
    /// LZ4 frames as Kafka's Java client writes them, so every consumer reads ours: 64 KiB blocks, each
    /// compressed on its own (the Java reader refuses blocks that refer to earlier ones), no content checksum.
    /// Level: the fast compressor, librdkafka's default.
    /// </summary>
    private static readonly LZ4EncoderSettings Lz4Settings = new()
    {
        BlockSize = 64 * 1024,
        ChainBlocks = false,
        ContentChecksum = false,
        CompressionLevel = LZ4Level.L00_FAST,
    };

    /// <summary>A zstd context per thread: creating one costs far more than compressing a small batch.</summary>
    [ThreadStatic] private static Compressor? t_zstd;

    /// <summary>Appends what <paramref name="compressed"/> decompresses to with <paramref name="codec"/> to <paramref name="output"/>.</summary>
    public static void Decompress(CompressionType codec, ReadOnlyMemory<byte> compressed, PooledBufferWriter output)
    {
        switch (codec)
        {
            case CompressionType.Gzip:
                using (var input = AsStream(compressed))
                using (var gzip = new GZipStream(input, CompressionMode.Decompress))
                    CopyTo(gzip, output);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Decompress(compressed.Span, output);
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

    /// <summary>Appends <paramref name="plain"/> compressed with <paramref name="codec"/> (<see cref="CompressionType.None"/>: as it is) to <paramref name="output"/>.</summary>
    public static void Compress(CompressionType codec, ReadOnlySpan<byte> plain, PooledBufferWriter output)
    {
        switch (codec)
        {
            case CompressionType.None:
                plain.CopyTo(output.GetSpan(plain.Length));
                output.Advance(plain.Length);
                break;
            case CompressionType.Gzip:
                // Kafka's default gzip level is zlib's default (6), which Optimal maps to.
                using (var sink = new BufferWriterStream(output))
                using (var gzip = new GZipStream(sink, CompressionLevel.Optimal))
                    gzip.Write(plain);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Compress(plain, output);
                break;
            case CompressionType.Lz4:
                LZ4Frame.Encode(plain, output, Lz4Settings);
                break;
            case CompressionType.Zstd:
                var zstd = t_zstd ??= new Compressor(ZstdLevel);
                output.Advance(zstd.Wrap(plain, output.GetSpan(Compressor.GetCompressBound(plain.Length))));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, "not a compression codec");
        }
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
