using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Client;
using Hub.Errors;
using Hub.Grains;
using Hub.Groups;
using Hub.Tests.Kafka;
using Hub.Tests.Support;
using HubProducerRecord = Hub.Client.ProducerRecord;

namespace Hub.Tests.Transactions;

/// <summary>The SDK's transactional producer against one silo, read back by the SDK consumer and by Confluent.Kafka.</summary>
[Collection(KafkaCollection.Name)]
public sealed class SdkTransactionTests(KafkaCluster kafka)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Long enough to see that nothing more arrives, on a loaded machine.</summary>
    private static readonly TimeSpan HeldBack = TimeSpan.FromSeconds(2);

    private HubClient Client => kafka.Cluster.Client;

    [Fact]
    public async Task Committed_transactions_are_read_whole_and_aborted_ones_never_at_read_committed()
    {
        var topic = await CreateTopicAsync("sdk-txn", partitions: 2);
        await using (var producer = TransactionalProducer("sdk-levels-" + Guid.NewGuid().ToString("N")))
        {
            await producer.InitTransactionsAsync();
            await InTransactionAsync(producer, topic, ["a1", "a2"], commit: true, partitions: 2);
            await InTransactionAsync(producer, topic, ["b1", "b2"], commit: false, partitions: 2);
            await InTransactionAsync(producer, topic, ["c1"], commit: true, partitions: 2);
        }

        // By partition (values alternate between partitions 0 and 1), then offset.
        Assert.Equal(["a1", "c1", "a2"], ConfluentValues(topic, Confluent.Kafka.IsolationLevel.ReadCommitted, expected: 3));
        Assert.Equal(["a1", "b1", "c1", "a2", "b2"], ConfluentValues(topic, Confluent.Kafka.IsolationLevel.ReadUncommitted, expected: 5));
        Assert.Equal(["a1", "c1"], await SdkValues.ReadAsync(Client, topic, 2, Timeout));

        // Partition 0 as stored: a1 + commit marker, b1 + abort marker, c1 + commit marker; data batches transactional.
        var batches = await kafka.StoredBatchesAsync(topic);
        Assert.Equal([false, true, false, true, false, true], batches.Select(b => b.IsControl));
        Assert.All(batches, b => Assert.True(b.IsTransactional));
        Assert.Single(batches.Select(b => b.ProducerId).Distinct());
    }

    [Fact]
    public async Task Offsets_sent_in_a_transaction_are_the_groups_only_once_it_commits()
    {
        var topic = await CreateTopicAsync("sdk-txn-offsets", partitions: 1);
        var group = "sdk-txn-group-" + Guid.NewGuid().ToString("N");
        await using var producer = TransactionalProducer("sdk-offsets-" + Guid.NewGuid().ToString("N"));
        await producer.InitTransactionsAsync();

        producer.BeginTransaction();
        await producer.ProduceAsync(topic, Value("out-1"));
        await producer.SendOffsetsToTransactionAsync([new OffsetCommitEntry(topic, 0, 7)], group);
        Assert.Equal(CommittedOffset.None, await CommittedAsync(group, topic));
        await producer.AbortTransactionAsync();
        Assert.Equal(CommittedOffset.None, await CommittedAsync(group, topic));

        producer.BeginTransaction();
        await producer.ProduceAsync(topic, Value("out-2"));
        await producer.SendOffsetsToTransactionAsync([new OffsetCommitEntry(topic, 0, 9)], group);
        await producer.CommitTransactionAsync();
        Assert.Equal(9, await CommittedAsync(group, topic));
    }

    [Fact]
    public async Task A_second_producer_with_the_id_fences_the_first_whose_open_transaction_is_aborted()
    {
        var topic = await CreateTopicAsync("sdk-txn-fence", partitions: 1);
        var id = "sdk-fence-" + Guid.NewGuid().ToString("N");
        await using var zombie = TransactionalProducer(id);
        await zombie.InitTransactionsAsync();
        zombie.BeginTransaction();
        await zombie.ProduceAsync(topic, Value("zombie"));

        await using var successor = TransactionalProducer(id);
        await successor.InitTransactionsAsync();
        var fenced = await Assert.ThrowsAsync<HubException>(() => zombie.CommitTransactionAsync());
        Assert.True(fenced.Code is Hub.Errors.ErrorCode.ProducerFenced or Hub.Errors.ErrorCode.InvalidProducerEpoch, fenced.ToString());
        // Fenced for good: even a new transaction is refused, naming why.
        var after = Assert.Throws<HubException>(zombie.BeginTransaction);
        Assert.Equal(fenced.Code, after.Code);

        await InTransactionAsync(successor, topic, ["successor"], commit: true);
        Assert.Equal(["successor"], ConfluentValues(topic, Confluent.Kafka.IsolationLevel.ReadCommitted, expected: 1));
    }

    [Fact]
    public async Task A_failed_record_leaves_only_an_abort_after_which_the_next_transaction_commits_on_a_new_epoch()
    {
        var topic = await CreateTopicAsync("sdk-txn-fail", partitions: 1, maxMessageBytes: 1000);
        var id = "sdk-fail-" + Guid.NewGuid().ToString("N");
        await using var producer = TransactionalProducer(id);
        await producer.InitTransactionsAsync();
        var epoch = (await Client.Transactions.DescribeAsync(id)).ProducerEpoch;

        producer.BeginTransaction();
        var kept = producer.ProduceAsync(topic, Value("before"));
        await kept;
        var tooLarge = await Assert.ThrowsAsync<HubException>(() => producer.ProduceAsync(topic, new HubProducerRecord { Value = new byte[5000] }));
        Assert.Equal(Hub.Errors.ErrorCode.MessageTooLarge, tooLarge.Code);
        // The transaction can't commit any more, nor take records; it aborts.
        Assert.Equal(Hub.Errors.ErrorCode.MessageTooLarge, (await Assert.ThrowsAsync<HubException>(() => producer.CommitTransactionAsync())).Code);
        Assert.Throws<HubException>(() => producer.Produce(topic, Value("refused")));
        await producer.AbortTransactionAsync();

        await InTransactionAsync(producer, topic, ["after"], commit: true);
        Assert.Equal(["after"], ConfluentValues(topic, Confluent.Kafka.IsolationLevel.ReadCommitted, expected: 1));
        Assert.True((await Client.Transactions.DescribeAsync(id)).ProducerEpoch > epoch, "the abort after a failed batch moves to a new epoch");
    }

    [Fact]
    public async Task Misuse_is_refused_with_a_message_saying_what_to_call_first()
    {
        var topic = await CreateTopicAsync("sdk-txn-misuse", partitions: 1);
        await using var producer = TransactionalProducer("sdk-misuse-" + Guid.NewGuid().ToString("N"));
        Assert.Contains("InitTransactionsAsync", Assert.Throws<InvalidOperationException>(producer.BeginTransaction).Message);
        await producer.InitTransactionsAsync();
        Assert.Contains("BeginTransaction", (await Assert.ThrowsAsync<InvalidOperationException>(() => producer.ProduceAsync(topic, Value("x")))).Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => producer.CommitTransactionAsync());
        producer.BeginTransaction();
        Assert.Throws<InvalidOperationException>(producer.BeginTransaction);
        // A transaction with nothing in it ends without troubling the coordinator.
        await producer.CommitTransactionAsync();

        await using var plain = Client.CreateProducer();
        Assert.Contains("TransactionalId", Assert.Throws<InvalidOperationException>(plain.BeginTransaction).Message);
        Assert.Throws<ArgumentException>(() => Client.CreateProducer(new ProducerOptions { TransactionalId = "x", EnableIdempotence = false }));
    }

    private HubProducer TransactionalProducer(string transactionalId) =>
        Client.CreateProducer(new ProducerOptions { TransactionalId = transactionalId, LingerMs = 1 });

    /// <summary>One transaction of the values, spread over the first <paramref name="partitions"/> partitions in turn.</summary>
    private static async Task InTransactionAsync(HubProducer producer, string topic, string[] values, bool commit, int partitions = 1)
    {
        producer.BeginTransaction();
        var sent = values.Select((v, i) => producer.ProduceAsync(topic, new HubProducerRecord { Value = Encoding.UTF8.GetBytes(v), Partition = i % partitions })).ToArray();
        if (commit) await producer.CommitTransactionAsync();
        else await producer.AbortTransactionAsync();
        await Task.WhenAll(sent);
    }

    private static HubProducerRecord Value(string value) => new() { Value = Encoding.UTF8.GetBytes(value) };

    private async Task<long> CommittedAsync(string group, string topic)
    {
        var offsets = await kafka.Cluster.Grains.GetGrain<IConsumerGroupGrain>(group).FetchOffsets([new Hub.Groups.TopicPartition(topic, 0)]);
        return offsets.Single().Offset;
    }

    private List<string> ConfluentValues(string topic, Confluent.Kafka.IsolationLevel level, int expected)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = kafka.Bootstrap, GroupId = "unused-" + Guid.NewGuid().ToString("N"), EnableAutoCommit = false, IsolationLevel = level,
        }).Build();
        using var admin = Admin();
        var partitions = admin.GetMetadata(topic, Timeout).Topics.Single().Partitions;
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p.PartitionId, Offset.Beginning)));
        var records = new List<ConsumeResult<Ignore, string>>();
        while (records.Count < expected)
            records.Add(consumer.Consume(Timeout) ?? throw new TimeoutException($"{records.Count} of {expected} records arrived"));
        // Nothing more is delivered: an aborted record would show up here.
        Assert.Null(consumer.Consume(HeldBack));
        return [.. records.OrderBy(r => r.Partition.Value).ThenBy(r => r.Offset.Value).Select(r => r.Message.Value)];
    }

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();

    private async Task<string> CreateTopicAsync(string prefix, int partitions, int? maxMessageBytes = null)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        using var admin = Admin();
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic, NumPartitions = partitions, ReplicationFactor = 1,
            Configs = maxMessageBytes is { } max ? new Dictionary<string, string> { ["max.message.bytes"] = max.ToString() } : null,
        }]);
        return topic;
    }
}
