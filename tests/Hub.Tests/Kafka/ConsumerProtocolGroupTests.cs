using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Silo.Configuration;
using Hub.Tests.Cluster;

namespace Hub.Tests.Kafka;

/// <summary>
/// A silo whose consumer-protocol groups heartbeat every second, so reassignments take seconds, not Kafka's 5 s heartbeats.
/// librdkafka times a heartbeat out after one interval, and a member whose answers are lost twice is fenced and starts
/// over: shorter intervals kept the group churning for half a minute on a loaded CI machine (twice in ten runs).
/// </summary>
public sealed class ConsumerProtocolCluster : IAsyncLifetime
{
    public HubTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await HubTestCluster.StartAsync(settings: new Dictionary<string, string>
    {
        [nameof(HubSiloOptions.ConsumerGroupHeartbeatInterval)] = "00:00:01",
        [nameof(HubSiloOptions.ConsumerGroupSessionTimeout)] = "00:00:10",
    });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// KIP-848's consumer group protocol (ConsumerGroupHeartbeat, ConsumerGroupDescribe, OffsetCommit v9) driven by
/// Confluent.Kafka (librdkafka) consumers with <c>group.protocol=consumer</c> and its admin client.
/// </summary>
public sealed class ConsumerProtocolGroupTests(ConsumerProtocolCluster cluster) : IClassFixture<ConsumerProtocolCluster>
{
    /// <summary>Bound on each wait: a loaded machine's group takes a few heartbeats more to settle.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private string Bootstrap => cluster.Cluster.KafkaBootstrap;

    [Fact]
    public async Task Three_members_split_the_partitions_and_read_every_record_once_and_a_leaver_s_partitions_move_to_the_others()
    {
        var topic = await CreateTopicAsync("cgp-split", 6);
        var group = KafkaCluster.NewTopic("cg");
        var consumers = Enumerable.Range(0, 3).Select(_ => Consumer(group)).ToList();
        try
        {
            foreach (var consumer in consumers) consumer.Subscribe(topic);
            using var deadline = new CancellationTokenSource(Timeout);
            var records = consumers.Select(_ => new List<ConsumeResult<string, string>>()).ToList();
            await ConfluentKafkaGroupTests.PollAsync(consumers, records, () => consumers.All(c => c.Assignment.Count == 2), deadline.Token);
            var owned = consumers.Select(c => c.Assignment.Select(p => p.Partition.Value).ToHashSet()).ToList();
            Assert.Equal(Enumerable.Range(0, 6), owned.SelectMany(p => p).Order());

            Produce(topic, 60, partitions: 6);
            await ConfluentKafkaGroupTests.PollAsync(consumers, records, () => records.Sum(r => r.Count) >= 60, deadline.Token);
            Assert.Equal(60, records.SelectMany(r => r).Select(r => r.Message.Value).Distinct().Count());
            for (var i = 0; i < consumers.Count; i++) Assert.All(records[i], r => Assert.Contains(r.Partition.Value, owned[i]));

            // The third leaves: its two partitions go to the other two, which keep what they had (no revocation).
            consumers[2].Close();
            consumers[2].Dispose();
            consumers.RemoveAt(2);
            records.RemoveAt(2);
            await ConfluentKafkaGroupTests.PollAsync(consumers, records, () => consumers.All(c => c.Assignment.Count == 3), deadline.Token);
            for (var i = 0; i < 2; i++) Assert.Superset(owned[i], consumers[i].Assignment.Select(p => p.Partition.Value).ToHashSet());
        }
        finally
        {
            Close(consumers);
        }
    }

    [Fact]
    public async Task A_member_commits_with_its_epoch_and_the_next_member_resumes_there()
    {
        var topic = await CreateTopicAsync("cgp-commit", 1);
        var group = KafkaCluster.NewTopic("cg");
        Produce(topic, 10, partitions: 1);

        using (var first = Consumer(group))
        {
            first.Subscribe(topic);
            ConsumeResult<string, string>? last = null;
            for (var i = 0; i < 4; i++) last = first.Consume(Timeout) ?? throw new TimeoutException("no record");
            first.Commit(last); // OffsetCommit v9 with the member's epoch
            first.Close();
        }

        using var second = Consumer(group);
        second.Subscribe(topic);
        var next = second.Consume(Timeout) ?? throw new TimeoutException("no record");
        Assert.Equal(4, next.Offset.Value);
        second.Close();
    }

    [Fact]
    public async Task A_regex_subscription_picks_up_a_topic_created_after_it()
    {
        var prefix = KafkaCluster.NewTopic("cgp-rx");
        var group = KafkaCluster.NewTopic("cg");
        var first = await CreateTopicAsync(prefix + "-a", 1, exactName: true);
        using var consumer = Consumer(group);
        consumer.Subscribe($"^{prefix}-.*");
        using var deadline = new CancellationTokenSource(Timeout);
        var records = new List<List<ConsumeResult<string, string>>> { new() };
        await ConfluentKafkaGroupTests.PollAsync([consumer], records, () => consumer.Assignment.Count == 1, deadline.Token);

        var second = await CreateTopicAsync(prefix + "-b", 2, exactName: true);
        await ConfluentKafkaGroupTests.PollAsync([consumer], records, () => consumer.Assignment.Count == 3, deadline.Token);
        Assert.Equal([first, second, second], consumer.Assignment.Select(p => p.Topic).Order());
        consumer.Close();
    }

    [Fact]
    public async Task A_restarted_static_member_gets_its_partitions_back_and_the_other_member_keeps_its_own()
    {
        var topic = await CreateTopicAsync("cgp-static", 4);
        var group = KafkaCluster.NewTopic("cg");
        var stayer = Consumer(group, instanceId: "stayer");
        var leaver = Consumer(group, instanceId: "leaver");
        var consumers = new List<IConsumer<string, string>> { stayer, leaver };
        try
        {
            stayer.Subscribe(topic);
            leaver.Subscribe(topic);
            using var deadline = new CancellationTokenSource(Timeout);
            var records = new List<List<ConsumeResult<string, string>>> { new(), new() };
            await ConfluentKafkaGroupTests.PollAsync(consumers, records, () => stayer.Assignment.Count == 2 && leaver.Assignment.Count == 2, deadline.Token);
            var leaversPartitions = leaver.Assignment.Select(p => p.Partition.Value).Order().ToList();
            var staysPartitions = stayer.Assignment.Select(p => p.Partition.Value).Order().ToList();

            // A static member's close is a leave "for a while" (epoch -2): its partitions wait for it, nobody else gets them.
            leaver.Close();
            leaver.Dispose();
            consumers.Remove(leaver);
            var back = Consumer(group, instanceId: "leaver");
            consumers.Add(back);
            back.Subscribe(topic);
            records = [[], []];
            await ConfluentKafkaGroupTests.PollAsync(consumers, records, () => back.Assignment.Count == 2, deadline.Token);
            Assert.Equal(leaversPartitions, back.Assignment.Select(p => p.Partition.Value).Order());
            Assert.Equal(staysPartitions, stayer.Assignment.Select(p => p.Partition.Value).Order());
        }
        finally
        {
            Close(consumers);
        }
    }

    [Fact]
    public async Task The_range_assignor_is_used_when_members_ask_for_it_and_admin_describes_the_group()
    {
        var topic = await CreateTopicAsync("cgp-range", 4);
        var group = KafkaCluster.NewTopic("cg");
        var consumers = Enumerable.Range(0, 2).Select(_ => Consumer(group, assignor: "range")).ToList();
        try
        {
            foreach (var consumer in consumers) consumer.Subscribe(topic);
            using var deadline = new CancellationTokenSource(Timeout);
            var records = consumers.Select(_ => new List<ConsumeResult<string, string>>()).ToList();
            await ConfluentKafkaGroupTests.PollAsync(consumers, records, () => consumers.All(c => c.Assignment.Count == 2), deadline.Token);
            // Range gives each member consecutive partitions.
            Assert.All(consumers, c =>
            {
                var partitions = c.Assignment.Select(p => p.Partition.Value).Order().ToList();
                Assert.Equal(partitions[0] + 1, partitions[1]);
            });

            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
            var described = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
            Assert.Equal(Confluent.Kafka.ErrorCode.NoError, described.Error.Code);
            Assert.Equal(ConsumerGroupState.Stable, described.State);
            Assert.Equal(2, described.Members.Count);
            Assert.Equal(Enumerable.Range(0, 4), described.Members.SelectMany(m => m.Assignment.TopicPartitions).Select(p => p.Partition.Value).Order());
        }
        finally
        {
            Close(consumers);
        }
    }

    private IConsumer<string, string> Consumer(string group, string? instanceId = null, string? assignor = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = group,
            GroupProtocol = GroupProtocol.Consumer,
            GroupInstanceId = instanceId,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
            TopicMetadataRefreshIntervalMs = 500,
        };
        if (assignor is not null) config.Set("group.remote.assignor", assignor);
        return new ConsumerBuilder<string, string>(config).Build();
    }

    private void Produce(string topic, int count, int partitions)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Bootstrap, LingerMs = 5 }).Build();
        for (var i = 0; i < count; i++) producer.Produce(new TopicPartition(topic, i % partitions), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
        Assert.Equal(0, producer.Flush(Timeout));
    }

    private async Task<string> CreateTopicAsync(string name, int partitions, bool exactName = false)
    {
        var topic = exactName ? name : KafkaCluster.NewTopic(name);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        return topic;
    }

    private static void Close(List<IConsumer<string, string>> consumers)
    {
        foreach (var consumer in consumers)
        {
            consumer.Close();
            consumer.Dispose();
        }
    }
}
