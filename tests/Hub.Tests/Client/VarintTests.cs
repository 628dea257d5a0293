using Hub.Batches;

namespace Hub.Tests.Client;

public class VarintTests
{
    public static TheoryData<long> Values() =>
    [
        0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, -8193, 1 << 20, int.MaxValue, int.MinValue,
        (1L << 55) - 1, 1L << 55, long.MaxValue, long.MinValue,
    ];

    [Theory]
    [MemberData(nameof(Values))]
    public void Int64_sizes_writes_and_reads_agree(long value)
    {
        var buffer = new byte[Varint.MaxInt64Bytes + 1];
        var written = Varint.WriteInt64(buffer, value);
        var position = 0;

        Assert.Equal(Varint.SizeOfInt64(value), written);
        Assert.True(Varint.TryReadInt64(buffer, ref position, out var read));
        Assert.Equal((value, written), (read, position));
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Int32_sizes_writes_and_reads_agree(long wide)
    {
        var value = (int)wide;
        var buffer = new byte[Varint.MaxInt32Bytes + 1];
        var written = Varint.WriteInt32(buffer, value);
        var position = 0;

        Assert.Equal(Varint.SizeOfInt32(value), written);
        Assert.True(Varint.TryReadInt32(buffer, ref position, out var read));
        Assert.Equal((value, written), (read, position));
    }
}
