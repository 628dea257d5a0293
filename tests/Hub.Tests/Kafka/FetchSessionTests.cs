using Hub.Errors;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Tests.Kafka;

/// <summary>
/// Fetch sessions (KIP-227) on the wire, with raw Fetch v12 frames: a session created over several partitions, an
/// incremental fetch answering only what changed, forgotten partitions no longer fetched, and the session errors.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class FetchSessionTests(KafkaCluster kafka)
{
    private const short Version = 12;

    private sealed record Partition(int Index, ErrorCode Error, long HighWatermark, int RecordBytes);

    private sealed record Response(ErrorCode Error, int SessionId, Partition[] Partitions);

    private static (ErrorCode Error, int SessionId, int Listed) Summary(Response response) => (response.Error, response.SessionId, response.Partitions.Length);

    private static async Task<Response> FetchAsync(RawKafkaConnection connection, int sessionId, int epoch, string topic,
        (int, long)[] partitions, int[]? forgotten = null, short version = Version, Guid topicId = default)
    {
        await connection.SendAsync(ApiKey.Fetch, version, 5, RequestBodies.SessionFetch(version, sessionId, epoch, topic, topicId, partitions, forgotten ?? []),
            flexibleHeader: true);
        var bytes = await connection.ReceiveAsync();
        Assert.NotNull(bytes);
        var reader = new ProtocolReader(bytes, flexible: true);
        Assert.Equal(5, reader.ReadInt32());
        reader.SkipTaggedFields();
        reader.ReadInt32(); // throttle time
        var error = (ErrorCode)reader.ReadInt16();
        var id = reader.ReadInt32();
        var listed = new List<Partition>();
        for (var topics = reader.ReadNonNullArrayLength(); topics > 0; topics--)
        {
            if (version >= 13) Assert.Equal(topicId, reader.ReadUuid());
            else Assert.Equal(topic, reader.ReadString());
            for (var count = reader.ReadNonNullArrayLength(); count > 0; count--)
            {
                var index = reader.ReadInt32();
                var partitionError = (ErrorCode)reader.ReadInt16();
                var highWatermark = reader.ReadInt64();
                reader.ReadInt64(); // last stable offset
                reader.ReadInt64(); // log start offset
                Assert.Equal(-1, reader.ReadArrayLength()); // aborted transactions
                reader.ReadInt32(); // preferred read replica
                var records = reader.ReadNullableBytes();
                reader.SkipTaggedFields();
                listed.Add(new Partition(index, partitionError, highWatermark, records?.Length ?? 0));
            }
            reader.SkipTaggedFields();
        }
        return new Response(error, id, [.. listed]);
    }

    private async Task<(RawKafkaConnection Connection, string Topic, Guid TopicId)> TopicAsync(int partitions)
    {
        var topic = KafkaCluster.NewTopic("sessions");
        var created = await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, partitions);
        return (await RawKafkaConnection.ConnectAsync(kafka.Bootstrap), topic, created.TopicId);
    }

    private static async Task ProduceAsync(RawKafkaConnection connection, string topic, int partition, long expectedOffset) =>
        Assert.Equal(((short)0, expectedOffset), await connection.ProduceAsync(topic, Log.TestBatches.Build(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "x"), partition));

    [Fact]
    public async Task An_incremental_fetch_answers_only_the_partitions_with_something_new_and_no_forgotten_one()
    {
        var (connection, topic, _) = await TopicAsync(3);
        using var _ = connection;
        var created = await FetchAsync(connection, 0, 0, topic, [(0, 0), (1, 0), (2, 0)]);
        Assert.Equal(ErrorCode.None, created.Error);
        Assert.NotEqual(0, created.SessionId);
        Assert.Equal([new(0, ErrorCode.None, 0, 0), new(1, ErrorCode.None, 0, 0), new(2, ErrorCode.None, 0, 0)], created.Partitions);

        await ProduceAsync(connection, topic, 1, 0);
        var incremental = await FetchAsync(connection, created.SessionId, 1, topic, []);
        Assert.Equal(created.SessionId, incremental.SessionId);
        var only = Assert.Single(incremental.Partitions);
        Assert.Equal((1, 1L), (only.Index, only.HighWatermark));
        Assert.True(only.RecordBytes > 0);

        // The client moves partition 1 past its records and forgets partition 0, which then gets records: nothing is new.
        await ProduceAsync(connection, topic, 0, 0);
        var quiet = await FetchAsync(connection, created.SessionId, 2, topic, [(1, 1)], forgotten: [0]);
        Assert.Equal(ErrorCode.None, quiet.Error);
        Assert.Empty(quiet.Partitions);

        // Added back, it is new to the session and answered with its records.
        var readded = await FetchAsync(connection, created.SessionId, 3, topic, [(0, 0)]);
        only = Assert.Single(readded.Partitions);
        Assert.Equal((0, 1L), (only.Index, only.HighWatermark));
        Assert.True(only.RecordBytes > 0);
    }

    [Fact]
    public async Task A_wrong_epoch_an_unknown_session_or_the_other_topic_naming_is_refused()
    {
        var (connection, topic, _) = await TopicAsync(1);
        using var _ = connection;
        var created = await FetchAsync(connection, 0, 0, topic, [(0, 0)]);
        Assert.NotEqual(0, created.SessionId);

        Assert.Equal((ErrorCode.InvalidFetchSessionEpoch, 0, 0), Summary(await FetchAsync(connection, created.SessionId, 2, topic, [])));
        Assert.Equal((ErrorCode.FetchSessionIdNotFound, 0, 0), Summary(await FetchAsync(connection, created.SessionId + 1, 1, topic, [])));
        Assert.Equal((ErrorCode.FetchSessionTopicIdError, 0, 0), Summary(await FetchAsync(connection, created.SessionId, 1, topic, [], version: 13)));
        // The refusals left the session as it was.
        Assert.Equal(ErrorCode.None, (await FetchAsync(connection, created.SessionId, 1, topic, [])).Error);

        // Epoch -1 closes it and is answered without a session.
        var closing = await FetchAsync(connection, created.SessionId, -1, topic, [(0, 0)]);
        Assert.Equal((ErrorCode.None, 0), (closing.Error, closing.SessionId));
        Assert.Equal(ErrorCode.FetchSessionIdNotFound, (await FetchAsync(connection, created.SessionId, 2, topic, [])).Error);
    }

    [Fact]
    public async Task A_session_created_by_topic_id_continues_by_topic_id_only()
    {
        var (connection, topic, topicId) = await TopicAsync(2);
        using var _ = connection;
        var created = await FetchAsync(connection, 0, 0, topic, [(0, 0), (1, 0)], version: 13, topicId: topicId);
        Assert.Equal(2, created.Partitions.Length);

        await ProduceAsync(connection, topic, 0, 0);
        var incremental = await FetchAsync(connection, created.SessionId, 1, topic, [], version: 13, topicId: topicId);
        Assert.Equal(0, Assert.Single(incremental.Partitions).Index);
        Assert.Equal((ErrorCode.FetchSessionTopicIdError, 0, 0), Summary(await FetchAsync(connection, created.SessionId, 2, topic, [], version: 12)));
    }
}
