using Hub.Client;

namespace Hub.Tests.Client;

/// <summary>Idempotence's defaults and conflicts, as Kafka 3.x settles enable.idempotence.</summary>
public class ProducerOptionsTests
{
    [Fact]
    public void Idempotence_is_on_by_default_with_five_batches_in_flight()
    {
        var options = new ProducerOptions().Validated();
        Assert.True(options.EnableIdempotence);
        Assert.Equal(5, options.MaxInFlightPerPartition);
    }

    [Theory]
    [InlineData(Acks.Leader, 5)]
    [InlineData(Acks.None, 5)]
    [InlineData(Acks.All, 6)]
    public void Left_unset_idempotence_is_off_where_the_settings_conflict(Acks acks, int maxInFlight) =>
        Assert.False(new ProducerOptions { Acks = acks, MaxInFlightPerPartition = maxInFlight }.Validated().EnableIdempotence);

    [Theory]
    [InlineData(Acks.Leader, 5)]
    [InlineData(Acks.None, 1)]
    [InlineData(Acks.All, 6)]
    public void Idempotence_asked_for_with_conflicting_settings_throws(Acks acks, int maxInFlight) =>
        Assert.ThrowsAny<ArgumentException>(() =>
            new ProducerOptions { EnableIdempotence = true, Acks = acks, MaxInFlightPerPartition = maxInFlight }.Validated());
}
