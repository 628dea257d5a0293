using System.Buffers.Binary;

namespace Hub.Client.Partitioning;

/// <summary>
/// The 32-bit MurmurHash2 variant of Kafka's <c>Utils.murmur2</c>, bit for bit, so a key lands on the same
/// partition whether a Kafka client or this SDK produced it.
/// </summary>
public static class Murmur2
{
    private const uint Seed = 0x9747b28c;
    private const uint M = 0x5bd1e995;
    private const int R = 24;

    public static int Hash(ReadOnlySpan<byte> data)
    {
        var length = data.Length;
        var h = Seed ^ (uint)length;
        var whole = length & ~3;
        for (var i = 0; i < whole; i += 4)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        // The 1-3 trailing bytes, mixed in as Kafka's fall-through switch does.
        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[whole + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[whole + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[whole];
                h *= M;
                break;
        }
        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return (int)h;
    }

    /// <summary>Kafka's <c>Utils.toPositive</c>: clears the sign bit (not Math.Abs, which overflows on int.MinValue).</summary>
    public static int ToPositive(int value) => value & 0x7fffffff;
}
