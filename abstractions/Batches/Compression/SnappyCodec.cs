using System.Buffers.Binary;
using Snappier;

namespace Hub.Batches.Compression;

/// <summary>
/// Kafka's snappy: one raw snappy block (librdkafka, kafkajs, and what Hub writes), or xerial's framing (the Java
/// client): an 8-byte magic, a version and a compatible version (int32s), then blocks of int32 length + raw
/// snappy. Readers of both kinds accept a raw block, so raw is what is written.
/// </summary>
internal static class SnappyCodec
{
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    /// <summary>xerial's stream header: the 8-byte magic, then its version and compatible version as int32s.</summary>
    private const int XerialHeaderSize = 16;

    /// <summary>xerial's block prefix: the compressed block's length as a big-endian int32.</summary>
    private const int XerialBlockLengthSize = 4;

    public static void Decompress(ReadOnlySpan<byte> compressed, PooledBufferWriter output)
    {
        if (!compressed.StartsWith(XerialMagic))
        {
            DecompressBlock(compressed, output);
            return;
        }
        if (compressed.Length < XerialHeaderSize) throw new InvalidDataException("truncated xerial snappy header");
        for (var rest = compressed[XerialHeaderSize..]; !rest.IsEmpty;)
        {
            if (rest.Length < XerialBlockLengthSize) throw new InvalidDataException("truncated xerial snappy block length");
            var length = BinaryPrimitives.ReadInt32BigEndian(rest);
            if (length < 0 || length > rest.Length - XerialBlockLengthSize)
                throw new InvalidDataException($"xerial snappy block of {length} bytes runs past the batch");
            DecompressBlock(rest.Slice(XerialBlockLengthSize, length), output);
            rest = rest[(XerialBlockLengthSize + length)..];
        }
    }

    public static void Compress(ReadOnlySpan<byte> plain, PooledBufferWriter output) =>
        output.Advance(Snappy.Compress(plain, output.GetSpan(Snappy.GetMaxCompressedLength(plain.Length))));

    /// <summary>A raw block starts with its uncompressed length, so the output's limit refuses a bomb before any work.</summary>
    private static void DecompressBlock(ReadOnlySpan<byte> block, PooledBufferWriter output)
    {
        var length = Snappy.GetUncompressedLength(block);
        // An empty block asks for no room, so one ending output of exactly the limit is no reason to refuse it.
        var written = Snappy.Decompress(block, length == 0 ? [] : output.GetSpan(length)[..length]);
        output.Advance(written);
    }
}
