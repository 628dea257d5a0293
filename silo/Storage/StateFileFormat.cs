using System.Buffers.Binary;
using System.IO.Hashing;

namespace Hub.Silo.Storage;

/// <summary>
/// Layout of a state file, integers little-endian:
/// <code>magic "HGS1" | etag uint64 | payload length int32 | CRC-32 of payload uint32 | payload</code>
/// The CRC catches a file damaged on disk; a torn write never reaches the final name (see <see cref="FileGrainStorage"/>).
/// </summary>
internal static class StateFileFormat
{
    public const int HeaderSize = 20;

    private const uint Magic = 0x31534748; // "HGS1" read as a little-endian uint32

    /// <summary>A whole state file: the header, then <paramref name="payload"/>.</summary>
    public static byte[] Encode(ulong etag, ReadOnlySpan<byte> payload)
    {
        var file = new byte[HeaderSize + payload.Length];
        var header = file.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(header[4..], etag);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], Crc32.HashToUInt32(payload));
        payload.CopyTo(file.AsSpan(HeaderSize));
        return file;
    }

    /// <summary>The ETag from a header; throws when the bytes are not a state file header.</summary>
    public static ulong ReadEtag(ReadOnlySpan<byte> header, string path)
    {
        if (header.Length < HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
            throw new InvalidDataException($"'{path}' is not a grain state file");
        return BinaryPrimitives.ReadUInt64LittleEndian(header[4..]);
    }

    /// <summary>The payload of a whole file, after checking its length and CRC.</summary>
    public static ReadOnlyMemory<byte> ReadPayload(ReadOnlyMemory<byte> file, string path)
    {
        ReadEtag(file.Span, path);
        var length = BinaryPrimitives.ReadInt32LittleEndian(file.Span[12..]);
        if (length != file.Length - HeaderSize)
            throw new InvalidDataException($"grain state file '{path}' is {file.Length} bytes, its header says {HeaderSize + length}");
        var payload = file[HeaderSize..];
        if (Crc32.HashToUInt32(payload.Span) != BinaryPrimitives.ReadUInt32LittleEndian(file.Span[16..]))
            throw new InvalidDataException($"grain state file '{path}' fails its CRC check");
        return payload;
    }
}
