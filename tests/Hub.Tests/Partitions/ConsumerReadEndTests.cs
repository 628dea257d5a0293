using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.Partitions;

namespace Hub.Tests.Partitions;

public sealed class ConsumerReadEndTests
{
    [Fact]
    public void Read_uncommitted_reads_to_the_high_watermark_read_committed_to_the_last_stable_offset()
    {
        Assert.Equal(42, ConsumerReadEnd.For(IsolationLevel.ReadUncommitted, highWatermark: 42, lastStableOffset: 30));
        Assert.Equal(30, ConsumerReadEnd.For(IsolationLevel.ReadCommitted, highWatermark: 42, lastStableOffset: 30));
        Assert.Equal(42, ConsumerReadEnd.For(IsolationLevel.ReadCommitted, highWatermark: 42, lastStableOffset: 42));
    }

    [Fact]
    public void An_unknown_isolation_level_is_an_invalid_request()
    {
        var refused = Assert.Throws<HubException>(() => ConsumerReadEnd.For((IsolationLevel)2, 42, 42));

        Assert.Equal(ErrorCode.InvalidRequest, refused.Code);
    }
}
