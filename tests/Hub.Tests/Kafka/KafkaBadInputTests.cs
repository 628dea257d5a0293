using System.Buffers.Binary;
using Hub.Batches;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Log;

namespace Hub.Tests.Kafka;

/// <summary>
/// What the listener does with broken input: the offending connection gets an error or is closed, the
/// listener and every other connection carry on, and nothing reaches a log.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaBadInputTests(KafkaCluster kafka)
{
    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var frames = Enumerable.Range(1, 20).SelectMany(i => i % 2 == 0
            ? RawKafkaConnection.Frame(ApiKey.ApiVersions, 2, i, RequestBodies.ApiVersions(2))
            : RawKafkaConnection.Frame(ApiKey.Metadata, 1, i, RequestBodies.Metadata(1))).ToArray();
        await connection.SendRawAsync(frames);
        for (var i = 1; i <= 20; i++)
        {
            var response = await connection.ReceiveAsync();
            Assert.NotNull(response);
            Assert.Equal(i, BinaryPrimitives.ReadInt32BigEndian(response));
        }
    }

    public static TheoryData<string, byte[]> ClosingInput => new()
    {
        { "declared size above the maximum", [0x7F, 0xFF, 0xFF, 0xFF, 0, 18, 0, 0] },
        { "negative size", [0xFF, 0xFF, 0xFF, 0xF0, 0, 18, 0, 0] },
        { "zero size", [0, 0, 0, 0] },
        { "size too small for a header", [0, 0, 0, 3, 0, 18, 0] },
        { "unknown API key", RawKafkaConnection.Frame((ApiKey)999, 0, 1, []) },
        { "unsupported Produce version", RawKafkaConnection.Frame(ApiKey.Produce, 2, 1, RequestBodies.Produce(3, "t", 0, [])) },
        { "unsupported Fetch version", RawKafkaConnection.Frame(ApiKey.Fetch, 99, 1, []) },
        { "garbage body", RawKafkaConnection.Frame(ApiKey.Metadata, 1, 1, [0x7F, 0x00, 0x00, 0x00, 0x01]) },
        { "array count beyond the frame", RawKafkaConnection.Frame(ApiKey.Produce, 3, 1, [0xFF, 0xFF, 0, 1, 0, 0, 0, 0, 0x10, 0, 0, 0]) },
    };

    [Theory]
    [MemberData(nameof(ClosingInput))]
    public async Task Unparseable_input_closes_only_its_connection(string why, byte[] bytes)
    {
        using var bystander = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        await connection.SendRawAsync(bytes);
        Assert.True(await connection.IsClosedByPeerAsync(), why);
        await AssertAnswersAsync(bystander);
        using var fresh = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        await AssertAnswersAsync(fresh);
    }

    [Fact]
    public async Task A_truncated_frame_is_dropped_when_the_client_goes_away()
    {
        using (var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap))
        {
            var frame = RawKafkaConnection.Frame(ApiKey.Metadata, 1, 1, RequestBodies.Metadata(1));
            await connection.SendRawAsync(frame.AsMemory(0, frame.Length - 3));
        }
        using var fresh = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        await AssertAnswersAsync(fresh);
    }

    [Fact]
    public async Task An_unsupported_ApiVersions_version_is_answered_with_the_supported_list()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        await connection.SendAsync(ApiKey.ApiVersions, 99, 5, [], flexibleHeader: true);
        var response = await connection.ReceiveAsync();
        Assert.NotNull(response);
        var reader = new ProtocolReader(response);
        Assert.Equal(5, reader.ReadInt32()); // v0 response header
        Assert.Equal(35, reader.ReadInt16()); // UNSUPPORTED_VERSION
        var count = reader.ReadArrayLength();
        var keys = new List<short>();
        for (var i = 0; i < count; i++)
        {
            keys.Add(reader.ReadInt16());
            reader.ReadInt16();
            reader.ReadInt16();
        }
        Assert.Contains((short)ApiKey.ApiVersions, keys);
        Assert.Contains((short)ApiKey.Produce, keys);
        await AssertAnswersAsync(connection); // the connection stays open
    }

    [Theory]
    [InlineData("bad CRC", (short)ErrorCode.CorruptMessage)]
    [InlineData("truncated batch", (short)ErrorCode.CorruptMessage)]
    [InlineData("gzip payload that does not decompress, valid CRC", (short)ErrorCode.CorruptMessage)]
    [InlineData("no records", (short)ErrorCode.InvalidRecord)]
    [InlineData("transactional batch without a transactional id", (short)ErrorCode.TransactionalIdAuthorizationFailed)]
    public async Task Broken_batches_get_a_partition_error_and_nothing_is_stored(string why, short expected)
    {
        var topic = await CreateTopicAsync("badbatch");
        var batch = why switch
        {
            "bad CRC" => CorruptCrc(ValidBatch()),
            "truncated batch" => ValidBatch()[..^5],
            "gzip payload that does not decompress, valid CRC" => TestBatches.WithRecordsSection(ValidBatch(), CompressionType.Gzip, "not gzip"u8),
            "transactional batch without a transactional id" => IdempotentBatches.Create(producerId: 3, epoch: 0, baseSequence: 0, transactional: true),
            _ => [],
        };
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        await connection.SendAsync(ApiKey.Produce, 3, 9, RequestBodies.Produce(3, topic, 0, batch));
        Assert.Equal((expected, -1L), await connection.ReceiveProduceAsync(9, topic));
        Assert.Equal(0, (await PartitionOf(topic).GetState()).LogEndOffset);
    }

    [Fact]
    public async Task Fuzzed_frames_leave_the_listener_and_the_logs_unharmed()
    {
        var topic = await CreateTopicAsync("fuzz");
        var topicsBefore = (await kafka.Cluster.Grains.GetGrain<IClusterControllerGrain>(0).ListTopics()).Select(t => t.Name).ToHashSet();
        // Templates of every API's request; the produce requests carry a batch with a broken CRC, so no mutation
        // short of repairing a CRC-32C can make one storable, and a stored record means a validation gap.
        var bad = CorruptCrc(ValidBatch());
        byte[][] templates =
        [
            RawKafkaConnection.Frame(ApiKey.ApiVersions, 0, 1, RequestBodies.ApiVersions(0)),
            RawKafkaConnection.Frame(ApiKey.ApiVersions, 3, 1, RequestBodies.ApiVersions(3), flexibleHeader: true),
            RawKafkaConnection.Frame(ApiKey.Metadata, 1, 1, RequestBodies.Metadata(1, topic)),
            RawKafkaConnection.Frame(ApiKey.Metadata, 12, 1, RequestBodies.Metadata(12, topic), flexibleHeader: true),
            RawKafkaConnection.Frame(ApiKey.Produce, 3, 1, RequestBodies.Produce(3, topic, 0, bad)),
            RawKafkaConnection.Frame(ApiKey.Produce, 9, 1, RequestBodies.Produce(9, topic, 0, bad), flexibleHeader: true),
            RawKafkaConnection.Frame(ApiKey.Fetch, 4, 1, RequestBodies.Fetch(4, topic, 0, 0)),
            RawKafkaConnection.Frame(ApiKey.Fetch, 12, 1, RequestBodies.Fetch(12, topic, 0, 0), flexibleHeader: true),
            RawKafkaConnection.Frame(ApiKey.ListOffsets, 1, 1, RequestBodies.ListOffsets(1, topic, 0, -1)),
            RawKafkaConnection.Frame(ApiKey.ListOffsets, 6, 1, RequestBodies.ListOffsets(6, topic, 0, -2), flexibleHeader: true),
            RawKafkaConnection.Frame(ApiKey.DescribeConfigs, 4, 1, RequestBodies.DescribeConfigs(4, topic), flexibleHeader: true),
        ];

        var random = new Random(20240611);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var sent = 0;
        RawKafkaConnection? connection = null;
        try
        {
            while (DateTime.UtcNow < until)
            {
                connection ??= await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
                var frame = Mutate(templates[random.Next(templates.Length)], random);
                await connection.SendRawAsync(frame);
                sent++;
                // Answered or not, move on quickly; a closed or silent connection is replaced.
                var answered = await connection.ReceiveWithinAsync(TimeSpan.FromMilliseconds(100));
                if (!answered)
                {
                    connection.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }

        Assert.True(sent > 500, $"only {sent} frames sent");
        Assert.Equal(0, (await PartitionOf(topic).GetState()).LogEndOffset);
        var topicsAfter = (await kafka.Cluster.Grains.GetGrain<IClusterControllerGrain>(0).ListTopics()).Select(t => t.Name);
        Assert.Equal(topicsBefore.Order(), topicsAfter.Order()); // nothing auto-created

        // A well-formed produce and fetch still work.
        using var healthy = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        await healthy.SendAsync(ApiKey.Produce, 3, 77, RequestBodies.Produce(3, topic, 0, ValidBatch()));
        var produced = await healthy.ReceiveAsync();
        Assert.NotNull(produced);
        Assert.Equal(1, (await PartitionOf(topic).GetState()).LogEndOffset);
        await AssertAnswersAsync(healthy);
    }

    [Fact]
    public async Task A_retried_idempotent_batch_is_stored_once_and_a_sequence_gap_is_refused()
    {
        var topic = await CreateTopicAsync("idem");
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var first = IdempotentBatches.Create(producerId: 9001, epoch: 0, baseSequence: 0, records: 3);
        Assert.Equal((0, 0L), await connection.ProduceAsync(topic, (byte[])first.Clone()));
        Assert.Equal((0, 0L), await connection.ProduceAsync(topic, (byte[])first.Clone())); // the retry: same offsets
        Assert.Equal(3, (await PartitionOf(topic).GetState()).LogEndOffset);
        Assert.Equal((0, 3L), await connection.ProduceAsync(topic, IdempotentBatches.Create(9001, 0, 3)));
        // A gap behind a batch stored just now: refused so that the client resends in order (ReorderedAppends.Refusal).
        Assert.Equal(((short)ErrorCode.NotLeaderOrFollower, -1L), await connection.ProduceAsync(topic, IdempotentBatches.Create(9001, 0, 9)));
        Assert.Equal(4, (await PartitionOf(topic).GetState()).LogEndOffset);
    }

    private static byte[] Mutate(byte[] template, Random random)
    {
        var frame = (byte[])template.Clone();
        switch (random.Next(6))
        {
            case 0: // flip a few bytes after the size prefix
                for (var i = 0; i < 1 + random.Next(4); i++) frame[4 + random.Next(frame.Length - 4)] = (byte)random.Next(256);
                return frame;
            case 1: // truncate the body and fix the size prefix so the frame is complete but short
                var length = 4 + random.Next(frame.Length - 4);
                BinaryPrimitives.WriteInt32BigEndian(frame, length - 4);
                return frame[..length];
            case 2: // extra bytes at the end
                var longer = frame.Concat(Enumerable.Range(0, 1 + random.Next(16)).Select(_ => (byte)random.Next(256))).ToArray();
                BinaryPrimitives.WriteInt32BigEndian(longer, longer.Length - 4);
                return longer;
            case 3: // pure noise with a plausible size
                var noise = new byte[8 + random.Next(200)];
                random.NextBytes(noise);
                BinaryPrimitives.WriteInt32BigEndian(noise, noise.Length - 4);
                return noise;
            case 4: // a random size prefix
                BinaryPrimitives.WriteInt32BigEndian(frame, random.Next(int.MinValue, int.MaxValue));
                return frame;
            default: // flip one bit anywhere in the body
                var at = 4 + random.Next(frame.Length - 4);
                frame[at] ^= (byte)(1 << random.Next(8));
                return frame;
        }
    }

    private static async Task AssertAnswersAsync(RawKafkaConnection connection)
    {
        await connection.SendAsync(ApiKey.ApiVersions, 0, 4242, RequestBodies.ApiVersions(0));
        var response = await connection.ReceiveAsync();
        Assert.NotNull(response);
        Assert.Equal(4242, BinaryPrimitives.ReadInt32BigEndian(response));
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4)));
    }

    private async Task<string> CreateTopicAsync(string prefix)
    {
        var name = KafkaCluster.NewTopic(prefix);
        await kafka.Cluster.Grains.GetGrain<IClusterControllerGrain>(0).CreateTopic(name, 1);
        return name;
    }

    private IPartitionGrain PartitionOf(string topic) =>
        kafka.Cluster.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(topic, 0, 0));

    private static byte[] ValidBatch()
    {
        using var builder = new RecordBatchBuilder(1 << 16);
        builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "key"u8.ToArray(), "value"u8.ToArray());
        return builder.Build().ToArray();
    }

    private static byte[] CorruptCrc(byte[] batch)
    {
        batch[RecordBatchLayout.Crc] ^= 0xFF;
        return batch;
    }
}
