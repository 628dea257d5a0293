using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Cluster;

namespace Hub.Tests.Kafka;

/// <summary>
/// KIP-320 on the wire: OffsetForLeaderEpoch (key 23) answers where each leader epoch ends in the leader's log,
/// and it, Fetch (v9+) and ListOffsets (v4+) refuse a current_leader_epoch older (FENCED_LEADER_EPOCH) or newer
/// (UNKNOWN_LEADER_EPOCH) than the leader's; -1 is not checked. Each test's partition holds offsets 0-2 written in
/// epoch 0 and 3-4 in epoch 1, its leader's epoch now.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class LeaderEpochTests(KafkaCluster kafka)
{
    private const int Current = 1;

    private async Task<string> TopicWrittenInTwoEpochsAsync(RawKafkaConnection connection)
    {
        var topic = KafkaCluster.NewTopic("epochs");
        var assignment = (await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, 1)).Partitions[0];
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(((short)0, 0L), await connection.ProduceAsync(topic, Log.TestBatches.Build(now, "a", "b", "c")));
        // The controller's word for a re-elected leader, sent by hand: one silo has no other broker to fail over to.
        var leader = kafka.Cluster.SiloGrains.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(topic, 0, brokerId: 0));
        await HandAssignments.ApplyAsLeaderAsync(leader, assignment with { LeaderEpoch = Current, Version = assignment.Version + 1 });
        Assert.Equal(((short)0, 3L), await connection.ProduceAsync(topic, Log.TestBatches.Build(now, "d", "e")));
        return topic;
    }

    /// <summary>The response to one request, with the encodings of its version.</summary>
    private sealed record Response(byte[] Bytes, bool Flexible)
    {
        /// <summary>A reader past the response header.</summary>
        public ProtocolReader Body()
        {
            var reader = new ProtocolReader(Bytes, Flexible);
            Assert.Equal(9, reader.ReadInt32());
            if (Flexible) reader.SkipTaggedFields(); // response header v1
            return reader;
        }
    }

    private static async Task<Response> CallAsync(RawKafkaConnection connection, ApiKey key, short version, byte[] body, bool flexible)
    {
        await connection.SendAsync(key, version, 9, body, flexibleHeader: flexible);
        var response = await connection.ReceiveAsync();
        Assert.NotNull(response);
        return new Response(response, flexible);
    }

    private static async Task<(ErrorCode Error, int Epoch, long EndOffset)> OffsetForLeaderEpochAsync(
        RawKafkaConnection connection, short version, string topic, int currentLeaderEpoch, int leaderEpoch)
    {
        var response = await CallAsync(connection, ApiKey.OffsetForLeaderEpoch, version,
            RequestBodies.OffsetForLeaderEpoch(version, topic, 0, currentLeaderEpoch, leaderEpoch), flexible: version >= 4);
        var reader = response.Body();
        reader.ReadInt32(); // throttle time
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(topic, reader.ReadString());
        Assert.Equal(1, reader.ReadArrayLength());
        var error = (ErrorCode)reader.ReadInt16();
        Assert.Equal(0, reader.ReadInt32());
        return (error, reader.ReadInt32(), reader.ReadInt64());
    }

    [Fact]
    public async Task ApiVersions_offers_OffsetForLeaderEpoch_v2_to_v4()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var reader = (await CallAsync(connection, ApiKey.ApiVersions, 0, RequestBodies.ApiVersions(0), flexible: false)).Body();
        Assert.Equal(0, reader.ReadInt16());
        var versions = new Dictionary<short, (short, short)>();
        for (var count = reader.ReadArrayLength(); count > 0; count--) versions[reader.ReadInt16()] = (reader.ReadInt16(), reader.ReadInt16());
        Assert.Equal(((short)2, (short)4), versions[(short)ApiKey.OffsetForLeaderEpoch]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task OffsetForLeaderEpoch_answers_where_each_epoch_ends_in_the_leaders_log(short version)
    {
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var topic = await TopicWrittenInTwoEpochsAsync(connection);

        Assert.Equal((ErrorCode.None, 0, 3L), await OffsetForLeaderEpochAsync(connection, version, topic, Current, leaderEpoch: 0));
        Assert.Equal((ErrorCode.None, 1, 5L), await OffsetForLeaderEpochAsync(connection, version, topic, Current, leaderEpoch: 1));
        Assert.Equal((ErrorCode.None, 1, 5L), await OffsetForLeaderEpochAsync(connection, version, topic, -1, leaderEpoch: 1));
        Assert.Equal((ErrorCode.None, -1, -1L), await OffsetForLeaderEpochAsync(connection, version, topic, Current, leaderEpoch: 7)); // no such epoch yet
        Assert.Equal((ErrorCode.FencedLeaderEpoch, -1, -1L), await OffsetForLeaderEpochAsync(connection, version, topic, Current - 1, leaderEpoch: 0));
        Assert.Equal((ErrorCode.UnknownLeaderEpoch, -1, -1L), await OffsetForLeaderEpochAsync(connection, version, topic, Current + 1, leaderEpoch: 0));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await OffsetForLeaderEpochAsync(connection, version, "no-such-topic", Current, 0)).Error);
    }

    [Theory]
    [InlineData(true, 9)]
    [InlineData(true, 12)]
    [InlineData(false, 4)]
    [InlineData(false, 6)]
    public async Task Fetch_and_ListOffsets_refuse_a_current_leader_epoch_older_or_newer_than_the_leaders(bool fetch, short version)
    {
        var key = fetch ? ApiKey.Fetch : ApiKey.ListOffsets;
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var topic = await TopicWrittenInTwoEpochsAsync(connection);

        async Task<ErrorCode> ErrorFor(int currentLeaderEpoch)
        {
            var flexible = version >= (key == ApiKey.Fetch ? 12 : 6);
            var body = key == ApiKey.Fetch
                ? RequestBodies.Fetch(version, topic, 0, offset: 0, currentLeaderEpoch: currentLeaderEpoch)
                : RequestBodies.ListOffsets(version, topic, 0, timestamp: -1, currentLeaderEpoch);
            var reader = (await CallAsync(connection, key, version, body, flexible)).Body();
            reader.ReadInt32(); // throttle time
            if (key == ApiKey.Fetch)
            {
                Assert.Equal(0, reader.ReadInt16()); // top-level error
                reader.ReadInt32(); // session id
            }
            Assert.Equal(1, reader.ReadArrayLength());
            Assert.Equal(topic, reader.ReadString());
            Assert.Equal(1, reader.ReadArrayLength());
            Assert.Equal(0, reader.ReadInt32());
            return (ErrorCode)reader.ReadInt16();
        }

        Assert.Equal(ErrorCode.None, await ErrorFor(Current));
        Assert.Equal(ErrorCode.None, await ErrorFor(-1));
        Assert.Equal(ErrorCode.FencedLeaderEpoch, await ErrorFor(Current - 1));
        Assert.Equal(ErrorCode.UnknownLeaderEpoch, await ErrorFor(Current + 1));
    }
}
