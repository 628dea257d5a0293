using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.Partitions;

namespace Hub.Tests.Partitions;

public sealed class ConsumerReadEndTests
{
    [Theory]
    [InlineData(IsolationLevel.ReadUncommitted)]
    [InlineData(IsolationLevel.ReadCommitted)]
    public void Without_transactions_both_levels_read_up_to_the_high_watermark(IsolationLevel level) =>
        Assert.Equal(42, ConsumerReadEnd.For(level, highWatermark: 42));

    [Fact]
    public void An_unknown_isolation_level_is_an_invalid_request()
    {
        var refused = Assert.Throws<HubException>(() => ConsumerReadEnd.For((IsolationLevel)2, 42));

        Assert.Equal(ErrorCode.InvalidRequest, refused.Code);
    }
}
