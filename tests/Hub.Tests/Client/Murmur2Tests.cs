using System.Text;
using Hub.Client.Partitioning;

namespace Hub.Tests.Client;

public class Murmur2Tests
{
    // Expected values from Kafka's UtilsTest.testMurmur2.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    [InlineData("", 275646681)]
    public void Matches_Kafkas_murmur2(string key, int expected) =>
        Assert.Equal(expected, Murmur2.Hash(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void ToPositive_clears_the_sign_bit_like_Kafka()
    {
        Assert.Equal(0, Murmur2.ToPositive(int.MinValue));
        Assert.Equal(int.MaxValue, Murmur2.ToPositive(-1));
        Assert.Equal(5, Murmur2.ToPositive(5));
    }

    [Fact]
    public void A_key_goes_to_the_positive_hash_modulo_the_partition_count()
    {
        var key = Encoding.UTF8.GetBytes("foobar");
        Assert.Equal((-790332482 & 0x7fffffff) % 7, KeyPartitioner.PartitionFor(key, 7));
        Assert.Equal(KeyPartitioner.PartitionFor(key, 7), KeyPartitioner.PartitionFor(key, 7));
        Assert.Equal(0, KeyPartitioner.PartitionFor(key, 1));
    }
}
