using System.Buffers.Binary;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Silo.Kafka.Protocol;
using KafkaErrorCode = Confluent.Kafka.ErrorCode;

namespace Hub.Tests.Kafka;

/// <summary>Kafka's group APIs (FindCoordinator, JoinGroup, SyncGroup, ...) driven by Confluent.Kafka's consumers and admin client.</summary>
[Collection(KafkaCollection.Name)]
public sealed class ConfluentKafkaGroupTests(KafkaCluster kafka)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_group_of_three_splits_partitions_and_consumes_every_record_once()
    {
        var topic = await CreateTopicAsync("group-split", 6);
        var group = KafkaCluster.NewTopic("g");
        var consumers = Enumerable.Range(0, 3).Select(_ => Consumer(group)).ToList();
        try
        {
            foreach (var consumer in consumers) consumer.Subscribe(topic);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(25));

            // Poll every consumer until the group is stable with all three holding partitions.
            var records = consumers.Select(_ => new List<ConsumeResult<string, string>>()).ToList();
            bool Balanced() => consumers.All(c => c.Assignment.Count > 0) && consumers.Sum(c => c.Assignment.Count) == 6;
            await PollAsync(consumers, records, Balanced, deadline.Token);

            var owned = consumers.Select(c => c.Assignment.Select(p => p.Partition.Value).ToHashSet()).ToList();
            Assert.Equal(Enumerable.Range(0, 6), owned.SelectMany(p => p).Order());

            using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap, LingerMs = 5 }).Build())
            {
                for (var i = 0; i < 60; i++)
                {
                    producer.Produce(new TopicPartition(topic, i % 6), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
                }
                producer.Flush(Timeout);
            }

            await PollAsync(consumers, records, () => records.Sum(r => r.Count) >= 60, deadline.Token);
            Assert.Equal(60, records.Sum(r => r.Count));
            Assert.Equal(60, records.SelectMany(r => r).Select(r => r.Message.Value).Distinct().Count());
            for (var i = 0; i < consumers.Count; i++)
            {
                Assert.All(records[i], r => Assert.Contains(r.Partition.Value, owned[i]));
            }
        }
        finally
        {
            foreach (var consumer in consumers)
            {
                consumer.Close();
                consumer.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_new_member_resumes_from_the_committed_offset_and_admin_lists_describes_and_deletes_the_group()
    {
        var topic = await CreateTopicAsync("group-commit", 1);
        var group = KafkaCluster.NewTopic("g");
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap, LingerMs = 5 }).Build())
        {
            for (var i = 0; i < 10; i++) producer.Produce(topic, new Message<Null, string> { Value = $"v{i}" });
            producer.Flush(Timeout);
        }

        using (var first = Consumer(group))
        {
            first.Subscribe(topic);
            ConsumeResult<string, string>? last = null;
            for (var i = 0; i < 4; i++) last = first.Consume(Timeout) ?? throw new TimeoutException("no record");
            Assert.Equal(3, last!.Offset.Value);
            first.Commit(last);
            first.Close();
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();
        using (var second = Consumer(group))
        {
            second.Subscribe(topic);
            var next = second.Consume(Timeout) ?? throw new TimeoutException("no record");
            Assert.Equal(4, next.Offset.Value);
            Assert.Equal("v4", next.Message.Value);

            var listed = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { RequestTimeout = Timeout });
            var listing = Assert.Single(listed.Valid, g => g.GroupId == group);
            Assert.Equal(ConsumerGroupState.Stable, listing.State);

            var described = Assert.Single((await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions);
            Assert.Equal(ConsumerGroupState.Stable, described.State);
            var member = Assert.Single(described.Members);
            Assert.Equal([new TopicPartition(topic, 0)], member.Assignment.TopicPartitions);

            // A group with a member can't be deleted.
            var refused = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync([group]));
            Assert.Equal(KafkaErrorCode.NonEmptyGroup, Assert.Single(refused.Results).Error.Code);
            second.Close();
        }

        await admin.DeleteGroupsAsync([group]);
        var gone = Assert.Single((await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions);
        Assert.Equal(ConsumerGroupState.Dead, gone.State);
    }

    [Fact]
    public async Task An_empty_group_id_is_INVALID_GROUP_ID()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        // Heartbeat v0: group_id "", generation 0, member_id "".
        byte[] body = [0, 0, 0, 0, 0, 0, 0, 0];
        await connection.SendAsync(ApiKey.Heartbeat, 0, 7, body);
        var response = await connection.ReceiveAsync();
        Assert.NotNull(response);
        Assert.Equal(7, BinaryPrimitives.ReadInt32BigEndian(response));
        Assert.Equal(24, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4))); // INVALID_GROUP_ID
    }

    /// <summary>Polls each consumer in turn (each on its own thread, as librdkafka wants) until <paramref name="done"/> holds.</summary>
    /// <summary>Polls every consumer (at once, a tenth of a second each round), keeping what each receives, until <paramref name="done"/>.</summary>
    internal static async Task PollAsync(
        List<IConsumer<string, string>> consumers, List<List<ConsumeResult<string, string>>> records, Func<bool> done, CancellationToken deadline)
    {
        while (!done())
        {
            deadline.ThrowIfCancellationRequested();
            var polled = await Task.WhenAll(consumers.Select(c => Task.Run(() => c.Consume(TimeSpan.FromMilliseconds(100)))));
            for (var i = 0; i < polled.Length; i++)
            {
                if (polled[i] is { } record) records[i].Add(record);
            }
        }
    }

    [Fact]
    public async Task OffsetDelete_removes_committed_offsets_but_not_of_a_topic_a_member_subscribes_to()
    {
        var subscribed = await CreateTopicAsync("offdel-sub", 2);
        var other = await CreateTopicAsync("offdel-other", 1);
        var group = KafkaCluster.NewTopic("g-offdel");
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();
        using (var committer = Consumer(group))
            committer.Commit([new(subscribed, 0, 5), new(subscribed, 1, 6), new(other, 0, 7)]);

        // An empty group: any of its offsets goes.
        var deleted = await admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(subscribed, 0)]);
        Assert.Equal([new TopicPartition(subscribed, 0)], deleted.Partitions);
        Assert.Equal(new[] { (subscribed, 1, 6L), (other, 0, 7L) }.Order(), await CommittedAsync(admin, group));

        using (var member = Consumer(group))
        {
            member.Subscribe(subscribed);
            using var deadline = new CancellationTokenSource(Timeout);
            while (member.Assignment.Count == 0)
            {
                deadline.Token.ThrowIfCancellationRequested();
                member.Consume(TimeSpan.FromMilliseconds(100));
            }

            var refused = await Assert.ThrowsAsync<DeleteConsumerGroupOffsetsException>(() =>
                admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(subscribed, 1), new TopicPartition(other, 0)]));
            Assert.Equal([(subscribed, KafkaErrorCode.GroupSubscribedToTopic), (other, KafkaErrorCode.NoError)],
                refused.Result.Partitions.Select(p => (p.Topic, p.Error.Code)).OrderBy(p => p.Topic == other));
            Assert.Equal([(subscribed, 1, 6L)], await CommittedAsync(admin, group));
            member.Close();
        }

        // librdkafka fails the whole call on the response's top-level error.
        var unknown = await Assert.ThrowsAsync<KafkaException>(() =>
            admin.DeleteConsumerGroupOffsetsAsync(KafkaCluster.NewTopic("no-such-group"), [new TopicPartition(other, 0)]));
        Assert.Equal(KafkaErrorCode.GroupIdNotFound, unknown.Error.Code);
        var noPartition = await Assert.ThrowsAsync<DeleteConsumerGroupOffsetsException>(() =>
            admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(other, 5)]));
        Assert.Equal(KafkaErrorCode.UnknownTopicOrPart, Assert.Single(noPartition.Result.Partitions).Error.Code);
    }

    /// <summary>The group's committed offsets as (topic, partition, offset), in order.</summary>
    private static async Task<List<(string, int, long)>> CommittedAsync(IAdminClient admin, string group)
    {
        var listed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]);
        return [.. Assert.Single(listed).Partitions.Where(p => p.Offset != Offset.Unset)
            .Select(p => (p.Topic, p.Partition.Value, p.Offset.Value)).Order()];
    }

    private IConsumer<string, string> Consumer(string group) =>
        new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = kafka.Bootstrap,
            GroupId = group,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 300,
            EnablePartitionEof = false,
        }).Build();

    private async Task<string> CreateTopicAsync(string prefix, int partitions)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        return topic;
    }
}
