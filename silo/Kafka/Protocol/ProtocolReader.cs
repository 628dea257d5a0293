using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace Hub.Silo.Kafka.Protocol;

/// <summary>
/// Reads Kafka protocol fields from one request body. <see cref="Flexible"/> selects the encodings of flexible
/// versions (compact strings, arrays and bytes with unsigned-varint lengths, tagged fields) over the classic
/// ones (int16/int32 lengths). Every read is bounds-checked against the frame: a malformed field throws
/// <see cref="KafkaProtocolException"/>, never reads outside the request and never allocates more than the
/// frame could describe (an array may not claim more elements than bytes remain).
/// Byte fields come back as slices of the request's memory, so record batches are passed on without a copy.
/// Bytes after a request's last field are ignored, as Kafka ignores them: librdkafka 2.16 sends three stray
/// bytes after an all-topics Metadata v12 request.
/// </summary>
internal ref struct ProtocolReader
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public ProtocolReader(ReadOnlyMemory<byte> memory, bool flexible = false)
    {
        _memory = memory;
        _span = memory.Span;
        Flexible = flexible;
    }

    /// <summary>Whether the compact encodings and tagged fields of flexible versions are in use.</summary>
    public bool Flexible { get; set; }

    public readonly int Position => _position;

    public readonly int Remaining => _span.Length - _position;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlyMemory<byte> Rest => _memory[_position..];

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public bool ReadBool() => Take(1)[0] != 0;

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    /// <summary>Kafka's uuid: 16 bytes, most significant first (read as an RFC 4122 byte order Guid).</summary>
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    /// <summary>An unsigned LEB128 varint of at most 5 bytes (the lengths and tags of flexible versions).</summary>
    public uint ReadUVarint()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            if (shift == 28 && b > 0x0F) Throw("unsigned varint overflows 32 bits");
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        Throw("unsigned varint longer than 5 bytes");
        return 0;
    }

    /// <summary>A zig-zag varint (signed).</summary>
    public int ReadVarint()
    {
        var u = ReadUVarint();
        return (int)(u >> 1) ^ -(int)(u & 1);
    }

    public string ReadString() =>
        ReadNullableString() ?? throw new KafkaProtocolException("null string where a string is required");

    public string? ReadNullableString()
    {
        var length = ReadLength(compactNullable: true, classicIsInt32: false);
        return length < 0 ? null : Decode(Take(length));
    }

    /// <summary>
    /// A nullable string's UTF-8 bytes as a slice of the request, not decoded (nor checked to be UTF-8): for a request
    /// naming so many strings that a string object each would cost several times its frame.
    /// </summary>
    public ReadOnlyMemory<byte>? ReadNullableStringBytes() => ReadNullableSlice(classicIsInt32: false);

    /// <summary>A classic (int16-length) nullable string regardless of <see cref="Flexible"/>: the request header's client id.</summary>
    public string? ReadClassicNullableString()
    {
        var length = ReadInt16();
        if (length < -1) Throw($"string length {length}");
        return length < 0 ? null : Decode(Take(length));
    }

    /// <summary>Nullable bytes (int32 or compact length), as a slice of the request.</summary>
    public ReadOnlyMemory<byte>? ReadNullableBytes() => ReadNullableSlice(classicIsInt32: true);

    private ReadOnlyMemory<byte>? ReadNullableSlice(bool classicIsInt32)
    {
        var length = ReadLength(compactNullable: true, classicIsInt32);
        if (length < 0) return null;
        var start = _position;
        Take(length);
        return _memory.Slice(start, length);
    }

    public ReadOnlyMemory<byte> ReadBytes() =>
        ReadNullableBytes() ?? throw new KafkaProtocolException("null bytes where bytes are required");

    /// <summary>
    /// An array's element count; -1 for a null array. Every element of every schema takes at least one byte,
    /// so a count above the bytes left is malformed: refusing it keeps a forged count from sizing allocations.
    /// </summary>
    public int ReadArrayLength()
    {
        var count = ReadLength(compactNullable: true, classicIsInt32: true);
        if (count > Remaining) Throw($"array of {count} elements in {Remaining} bytes");
        return count;
    }

    /// <summary>An array that must not be null.</summary>
    public int ReadNonNullArrayLength()
    {
        var count = ReadArrayLength();
        if (count < 0) Throw("null array where an array is required");
        return count;
    }

    /// <summary>Skips a tagged-field section (flexible versions only): no tag Hub reads changes what it does.</summary>
    public void SkipTaggedFields()
    {
        if (!Flexible) return;
        var count = ReadUVarint();
        if (count > Remaining) Throw($"{count} tagged fields in {Remaining} bytes");
        var lastTag = -1L;
        for (var i = 0; i < count; i++)
        {
            var tag = ReadUVarint();
            if (tag <= lastTag) Throw("tagged fields out of order");
            lastTag = tag;
            var size = ReadUVarint();
            if (size > Remaining) Throw($"tagged field of {size} bytes in {Remaining} bytes");
            Take((int)size);
        }
    }

    /// <summary>
    /// A string, bytes or array length: compact (unsigned varint N+1, 0 = null) in flexible versions, otherwise
    /// int16 (strings) or int32 (bytes, arrays) with -1 = null.
    /// </summary>
    private int ReadLength(bool compactNullable, bool classicIsInt32)
    {
        if (Flexible)
        {
            var raw = ReadUVarint();
            if (raw > int.MaxValue) Throw($"compact length {raw}");
            return compactNullable ? (int)raw - 1 : (int)raw;
        }
        int length = classicIsInt32 ? ReadInt32() : ReadInt16();
        if (length < -1) Throw($"length {length}");
        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)Remaining) ThrowTruncated(count, Remaining);
        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    private static string Decode(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw new KafkaProtocolException("string is not valid UTF-8");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Throws live in non-inlined helpers so the hot read paths stay small.
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTruncated(int wanted, int remaining) =>
        throw new KafkaProtocolException($"field of {wanted} bytes but only {remaining} left in the request");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(string message) => throw new KafkaProtocolException(message);
}
