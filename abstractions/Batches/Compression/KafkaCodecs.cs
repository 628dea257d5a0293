using System.IO.Compression;
using System.Runtime.InteropServices;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Hub.Batches.Compression;

/// <summary>
/// Kafka's record-batch codecs over whole buffers: gzip; snappy (see <see cref="SnappyCodec"/>); lz4 in the LZ4
/// frame format; zstd. Damaged input makes the codec library throw, whatever exception that is:
/// <see cref="RecordBatchCompression"/> turns any into one clear error.
/// </summary>
internal static class KafkaCodecs
{
    /// <summary>What a stream-based decoder is asked for at a time (less near the output's limit).</summary>
    private const int ReadChunk = 64 * 1024;

    /// <summary>
    /// Largest zstd window (log2) a frame may ask for: zstd reserves the window before decoding, and its default
    /// bound (2^27) is twice what any batch may decompress to. 2^26 is <see cref="RecordBatchCompression.MaxDecompressedBytes"/>:
    /// a back-reference never reaches further back than the batch's own records.
    /// </summary>
    private const int ZstdWindowLogMax = 26;

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
                // As a stream, so it is asked for no more than the room left (see CopyTo).
                using (var input = AsStream(compressed))
                using (var lz4 = LZ4Stream.Decode(input))
                    CopyTo(lz4, output);
                break;
            case CompressionType.Zstd:
                using (var input = AsStream(compressed))
                using (var zstd = new DecompressionStream(input))
                {
                    zstd.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, ZstdWindowLogMax);
                    CopyTo(zstd, output);
                }
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

    /// <summary>
    /// Reads <paramref name="source"/> to its end into <paramref name="output"/>, asking for no more than the room
    /// left, so output of exactly the limit fits and only a byte past it is refused.
    /// </summary>
    private static void CopyTo(Stream source, PooledBufferWriter output)
    {
        while (output.Remaining > 0)
        {
            var read = source.Read(output.GetSpan(Math.Min(ReadChunk, output.Remaining)));
            if (read == 0) return;
            output.Advance(read);
        }
        if (source.ReadByte() >= 0) throw output.LimitExceeded();
    }

    /// <summary>A read-only stream over the bytes, without copying them when they sit in an array (as Orleans hands them over).</summary>
    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
}
