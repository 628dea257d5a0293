using Hub.Tests.Support;
using Hub.Client;
using Hub.Client.Metadata;
using Hub.Errors;
using Hub.Tests.Partitions;

namespace Hub.Tests.Client;

/// <summary>What the SDK does on each stale-metadata error: the router refreshes and retries, the key-ordered consumer retries.</summary>
public sealed class StaleMetadataRetryTests
{
    private readonly InMemoryGrainFactory _cluster = new();
    private readonly PartitionRouter _router;

    public StaleMetadataRetryTests() => _router = new PartitionRouter(_cluster, new ManualTimeProvider());

    public static TheoryData<ErrorCode> StaleCodes => StaleMetadataTests.StaleCodes;

    [Theory]
    [MemberData(nameof(StaleCodes))]
    public async Task The_router_rereads_the_topic_and_retries_after_a_stale_refusal(ErrorCode code)
    {
        await _cluster.Controller.CreateTopic("t", 1);
        var attempts = 0;
        var answer = await _router.InvokeAsync("t", 0,
            _ => ++attempts == 1 ? Task.FromException<int>(new HubException(code, "stale")) : Task.FromResult(attempts), CancellationToken.None);
        Assert.Equal(2, answer);
        Assert.Equal(2, _cluster.Controller.GetTopicCalls);
    }

    [Fact]
    public async Task The_router_passes_other_refusals_on_at_once_and_keeps_the_metadata()
    {
        await _cluster.Controller.CreateTopic("t", 1);
        var attempts = 0;
        var refusal = await Assert.ThrowsAsync<HubException>(() => _router.InvokeAsync("t", 0,
            _ => ++attempts == 1 ? Task.FromException<int>(new HubException(ErrorCode.CorruptMessage, "bad batch")) : Task.FromResult(attempts), CancellationToken.None));
        Assert.Equal(ErrorCode.CorruptMessage, refusal.Code);
        Assert.Equal(1, attempts);
        Assert.NotNull(_router.TryGetCached("t"));
    }

    [Fact]
    public async Task The_router_follows_a_moved_leader()
    {
        await _cluster.Controller.CreateTopic("t", 1);
        await _router.GetTopicAsync("t");
        _cluster.Controller.MoveLeader("t", 0, 2);
        var state = await _router.InvokeAsync("t", 0, grain => grain.GetState(), CancellationToken.None);
        Assert.Equal(0, state.HighWatermark);
        Assert.Equal(2, _router.TryGetCached("t")!.Partitions[0].Leader);
    }

    [Theory]
    [MemberData(nameof(StaleCodes))]
    public void The_key_ordered_consumer_retries_a_stale_refusal_except_an_unknown_partition(ErrorCode code) =>
        Assert.Equal(code != ErrorCode.UnknownTopicOrPartition, HubKeyOrderedConsumer.IsTransient(new HubException(code, "stale")));
}
