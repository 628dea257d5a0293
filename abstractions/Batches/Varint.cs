using System.Numerics;
using System.Runtime.CompilerServices;

namespace Hub.Batches;

/// <summary>Kafka's zig-zag variable-length integers (protobuf style), used inside v2 records.</summary>
public static class Varint
{
    public const int MaxInt32Bytes = 5;
    public const int MaxInt64Bytes = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteInt32(Span<byte> destination, int value) => WriteUnsigned(destination, (uint)((value << 1) ^ (value >> 31)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteInt64(Span<byte> destination, long value) => WriteUnsigned(destination, (ulong)((value << 1) ^ (value >> 63)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfInt32(int value) => SizeOfUnsigned((uint)((value << 1) ^ (value >> 31)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfInt64(long value) => SizeOfUnsigned((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Reads a zig-zag int32; false when the bytes end early or the value is longer than 5 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadInt32(ReadOnlySpan<byte> source, ref int position, out int value)
    {
        if (!TryReadUnsigned(source, ref position, MaxInt32Bytes, out var raw) || raw > uint.MaxValue)
        {
            value = 0;
            return false;
        }
        var u = (uint)raw;
        value = (int)(u >> 1) ^ -(int)(u & 1);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadInt64(ReadOnlySpan<byte> source, ref int position, out long value)
    {
        if (!TryReadUnsigned(source, ref position, MaxInt64Bytes, out var u))
        {
            value = 0;
            return false;
        }
        value = (long)(u >> 1) ^ -(long)(u & 1);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteUnsigned(Span<byte> destination, ulong value)
    {
        // A record's varints are mostly one or two bytes (deltas, lengths of small fields): write those inline.
        if (value < 0x80)
        {
            destination[0] = (byte)value;
            return 1;
        }
        if (value < 0x4000)
        {
            destination[1] = (byte)(value >> 7);
            destination[0] = (byte)(value | 0x80);
            return 2;
        }
        return WriteUnsignedSlow(destination, value);
    }

    private static int WriteUnsignedSlow(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>7 bits per byte: 1 + floor(log2(value) / 7), which (log2 × 9 + 73) / 64 equals for every ulong.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SizeOfUnsigned(ulong value) => (BitOperations.Log2(value | 1) * 9 + 73) >> 6;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadUnsigned(ReadOnlySpan<byte> source, ref int position, int maxBytes, out ulong value)
    {
        // Most varints in a record (deltas, lengths of small fields) are one or two bytes: decode those inline.
        if ((uint)position < (uint)source.Length)
        {
            uint first = source[position];
            if (first < 0x80)
            {
                value = first;
                position++;
                return true;
            }
            if ((uint)(position + 1) < (uint)source.Length && source[position + 1] < 0x80)
            {
                value = (first & 0x7F) | ((uint)source[position + 1] << 7);
                position += 2;
                return true;
            }
        }
        return TryReadUnsignedSlow(source, ref position, maxBytes, out value);
    }

    private static bool TryReadUnsignedSlow(ReadOnlySpan<byte> source, ref int position, int maxBytes, out ulong value)
    {
        value = 0;
        var p = position;
        for (var shift = 0; shift < maxBytes * 7; shift += 7)
        {
            if ((uint)p >= (uint)source.Length) return false;
            var b = source[p++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                position = p;
                return true;
            }
        }
        return false;
    }
}
