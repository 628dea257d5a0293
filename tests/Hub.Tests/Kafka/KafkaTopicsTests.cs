using Hub.Tests.Support;
using Hub.Errors;
using Hub.Silo.Kafka.Apis.Records;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Client;
using Hub.Tests.Partitions;
using Hub.Topics;

namespace Hub.Tests.Kafka;

/// <summary>The Kafka gateway's topic cache on each stale-metadata error, over an in-memory controller and partitions.</summary>
public sealed class KafkaTopicsTests
{
    private readonly InMemoryGrainFactory _cluster = new();
    private readonly KafkaTopics _topics;

    public KafkaTopicsTests() => _topics = new KafkaTopics(_cluster, new ManualTimeProvider());

    /// <summary>Each stale code drops the cached topic (a second lookup reads the controller); other refusals keep it.</summary>
    public static TheoryData<ErrorCode, int> RefusalsAndLookups
    {
        get
        {
            var data = new TheoryData<ErrorCode, int> { { ErrorCode.CorruptMessage, 1 }, { ErrorCode.NotEnoughReplicas, 1 }, { ErrorCode.NotEnoughReplicasAfterAppend, 1 } };
            foreach (var code in StaleMetadataTests.Stale) data.Add(code, 2);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(RefusalsAndLookups))]
    public async Task A_stale_refusal_drops_the_cached_topic_and_another_keeps_it(ErrorCode code, int lookups)
    {
        await _cluster.Controller.CreateTopic("t", 1);
        await _topics.GetAsync("t");
        Assert.Equal(code, _topics.Failed("t", new HubException(code, "refused")));
        await _topics.GetAsync("t");
        Assert.Equal(lookups, _cluster.Controller.GetTopicCalls);
    }

    [Fact]
    public async Task A_lost_silo_counts_as_a_moved_leader()
    {
        await _cluster.Controller.CreateTopic("t", 1);
        await _topics.GetAsync("t");
        Assert.Equal(ErrorCode.NotLeaderOrFollower, _topics.Failed("t", new SiloUnavailableException()));
        await _topics.GetAsync("t");
        Assert.Equal(2, _cluster.Controller.GetTopicCalls);
    }

    [Fact]
    public async Task A_partition_without_a_leader_is_refused_and_drops_the_cached_topic()
    {
        await _cluster.Controller.CreateTopic("t", 1);
        _cluster.Controller.MoveLeader("t", 0, PartitionAssignment.NoLeader);
        var topic = (await _topics.GetAsync("t"))!;
        Assert.Equal(ErrorCode.LeaderNotAvailable, Assert.Throws<HubException>(() => _topics.Partition(topic, 0)).Code);
        await _topics.GetAsync("t");
        Assert.Equal(2, _cluster.Controller.GetTopicCalls);
    }

    /// <summary>Before the one rule, ListOffsets kept routing to the old leader until the cache aged out (5 s).</summary>
    [Fact]
    public async Task ListOffsets_after_the_leader_moved_refreshes_the_cache_for_the_next_request()
    {
        await _cluster.Controller.CreateTopic("t", 1);
        await _topics.GetAsync("t");
        _cluster.Controller.MoveLeader("t", 0, 2);
        var api = new ListOffsetsApi(_topics, Authorizers.Off(_cluster));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, await ListLatestOffsetAsync(api));
        Assert.Equal(ErrorCode.None, await ListLatestOffsetAsync(api));
    }

    /// <summary>ListOffsets v1 for partition 0 of "t"; the partition's error code.</summary>
    private static async Task<ErrorCode> ListLatestOffsetAsync(ListOffsetsApi api)
    {
        var reader = new ProtocolReader(await ApiCall.HandleAsync(api, 1, RequestBodies.ListOffsets(1, "t", 0, timestamp: -1)));
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal("t", reader.ReadString());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(0, reader.ReadInt32());
        return (ErrorCode)reader.ReadInt16();
    }
}
