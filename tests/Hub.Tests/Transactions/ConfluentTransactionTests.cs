using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Tests.Kafka;
using Hub.Tests.Support;
using KafkaErrorCode = Confluent.Kafka.ErrorCode;

namespace Hub.Tests.Transactions;

/// <summary>Kafka transactions as Confluent.Kafka (librdkafka) uses them, against the silo's Kafka listener.</summary>
[Collection(KafkaCollection.Name)]
public sealed class ConfluentTransactionTests(KafkaCluster kafka)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Long enough to see that a read_committed consumer holds back, on a loaded machine.</summary>
    private static readonly TimeSpan HeldBack = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Read_committed_sees_committed_transactions_only_and_waits_at_an_open_one()
    {
        var topic = await CreateTopicAsync("txn-levels", partitions: 2);
        using var producer = TransactionalProducer("levels-" + Guid.NewGuid().ToString("N"));
        producer.InitTransactions(Timeout);
        await InTransactionAsync(producer, topic, ["a1", "a2"], commit: true);
        await InTransactionAsync(producer, topic, ["b1", "b2"], commit: false);
        await InTransactionAsync(producer, topic, ["c1"], commit: true);

        // By partition (values alternate between partitions 0 and 1), then offset.
        Assert.Equal(["a1", "c1", "a2"], Values(ReadAll(topic, IsolationLevel.ReadCommitted, expected: 3)));
        Assert.Equal(["a1", "b1", "c1", "a2", "b2"], Values(ReadAll(topic, IsolationLevel.ReadUncommitted, expected: 5)));

        // An open transaction holds read_committed readers at its first record, even past records written after it.
        producer.BeginTransaction();
        await producer.ProduceAsync(new TopicPartition(topic, 0), Message("d1"));
        using (var plain = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap }).Build())
            await plain.ProduceAsync(new TopicPartition(topic, 0), Message("e1"));
        using var committed = Consumer(IsolationLevel.ReadCommitted);
        committed.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        Assert.Equal(["a1", "c1"], Values(Take(committed, 2)));
        Assert.Null(committed.Consume(HeldBack));
        producer.CommitTransaction(Timeout);
        Assert.Equal(["d1", "e1"], Values(Take(committed, 2)));
    }

    [Fact]
    public async Task The_SDK_consumer_reads_committed_records_only_and_never_a_marker()
    {
        var topic = await CreateTopicAsync("txn-sdk", partitions: 2);
        using (var producer = TransactionalProducer("sdk-" + Guid.NewGuid().ToString("N")))
        {
            producer.InitTransactions(Timeout);
            await InTransactionAsync(producer, topic, ["kept-1"], commit: true);
            await InTransactionAsync(producer, topic, ["dropped-1", "dropped-2"], commit: false);
            await InTransactionAsync(producer, topic, ["kept-2"], commit: true);
        }
        using (var plain = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap }).Build())
            await plain.ProduceAsync(new TopicPartition(topic, 0), Message("last"));

        // Partition 0 (InTransactionAsync alternates, so dropped-2 went to 1): 3 data records and 3 markers before "last".
        var read = await SdkValues.ReadRecordsAsync(kafka.Cluster.Client, topic, 0, 3, Timeout);
        Assert.Equal(["kept-1", "kept-2", "last"], read.Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
        Assert.Equal(6, read[^1].Offset);
    }

    [Fact]
    public async Task A_second_producer_with_the_same_transactional_id_fences_the_first_and_its_open_transaction_is_aborted()
    {
        var topic = await CreateTopicAsync("txn-fence", partitions: 1);
        var id = "fence-" + Guid.NewGuid().ToString("N");
        using var zombie = TransactionalProducer(id);
        zombie.InitTransactions(Timeout);
        zombie.BeginTransaction();
        await zombie.ProduceAsync(topic, Message("zombie"));

        using var successor = TransactionalProducer(id);
        successor.InitTransactions(Timeout);
        var fenced = Assert.ThrowsAny<KafkaException>(() => zombie.CommitTransaction(Timeout));
        Assert.True(fenced.Error.IsFatal || fenced.Error.Code is KafkaErrorCode.ProducerFenced or KafkaErrorCode.InvalidProducerEpoch, fenced.Error.ToString());
        await InTransactionAsync(successor, topic, ["successor"], commit: true);

        Assert.Equal(["successor"], Values(ReadAll(topic, IsolationLevel.ReadCommitted, expected: 1)));
    }

    [Fact]
    public async Task A_transaction_its_producer_left_open_is_aborted_after_its_timeout_and_releases_read_committed_readers()
    {
        var topic = await CreateTopicAsync("txn-timeout", partitions: 1);
        using (var abandoned = TransactionalProducer("timeout-" + Guid.NewGuid().ToString("N"), transactionTimeoutMs: 1000))
        {
            abandoned.InitTransactions(Timeout);
            abandoned.BeginTransaction();
            await abandoned.ProduceAsync(topic, Message("abandoned"));
        }
        using (var plain = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap }).Build())
            await plain.ProduceAsync(topic, Message("after"));

        // The coordinator's sweep (every 10 s) aborts it; the record after it then reaches read_committed readers, the aborted one never.
        using var committed = Consumer(IsolationLevel.ReadCommitted);
        committed.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        Assert.Equal(["after"], Values(Take(committed, 1)));
    }

    [Fact]
    public async Task Consume_transform_produce_survives_a_processor_dying_mid_transaction_each_record_once()
    {
        var input = await CreateTopicAsync("ctp-in", partitions: 1);
        var output = await CreateTopicAsync("ctp-out", partitions: 1);
        var group = "ctp-" + Guid.NewGuid().ToString("N");
        var id = "ctp-" + Guid.NewGuid().ToString("N");
        using (var source = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap }).Build())
        {
            for (var i = 0; i < 10; i++) await source.ProduceAsync(input, Message($"{i}"));
        }

        // The first processor commits 5 records, then dies in the middle of its next transaction.
        using (var first = TransactionalProducer(id))
        {
            first.InitTransactions(Timeout);
            await ProcessAsync(first, input, output, group, count: 5, commit: true);
            await ProcessAsync(first, input, output, group, count: 3, commit: false);
        }
        // Its successor takes over the transactional id (aborting what was left open) and resumes from the committed offset.
        using (var second = TransactionalProducer(id))
        {
            second.InitTransactions(Timeout);
            await ProcessAsync(second, input, output, group, count: 5, commit: true);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{i}!"), Values(ReadAll(output, IsolationLevel.ReadCommitted, expected: 10)));
        using var admin = Admin();
        var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, [new TopicPartition(input, 0)])]);
        Assert.Equal(10, offsets.Single().Partitions.Single().Offset.Value);
    }

    private sealed record KafkajsTransactions(string[] Committed, string[] Uncommitted, string GroupOffset);

    [KafkajsFact]
    public async Task Kafkajs_commits_aborts_and_commits_offsets_in_a_transaction()
    {
        var topic = await CreateTopicAsync("txn-kafkajs", partitions: 1);
        var result = await Kafkajs.RunAsync<KafkajsTransactions>("transactions", kafka.Bootstrap, topic, "kafkajs-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(["a1", "a2", "c1"], result.Committed);
        Assert.Equal(["a1", "a2", "b1", "c1"], result.Uncommitted);
        Assert.Equal("3", result.GroupOffset);
    }

    /// <summary>One transaction of a consume-transform-produce loop: reads <paramref name="count"/> records from the group's position, writes each with "!" appended, sends the offsets.</summary>
    private async Task ProcessAsync(IProducer<string?, string> producer, string input, string output, string group, int count, bool commit)
    {
        using var consumer = new ConsumerBuilder<string?, string>(new ConsumerConfig
        {
            BootstrapServers = kafka.Bootstrap, GroupId = group, EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest, IsolationLevel = IsolationLevel.ReadCommitted,
        }).Build();
        consumer.Assign(new TopicPartition(input, 0));
        producer.BeginTransaction();
        ConsumeResult<string?, string>? last = null;
        for (var i = 0; i < count; i++)
        {
            last = consumer.Consume(Timeout) ?? throw new TimeoutException($"record {i} of {count} did not arrive");
            await producer.ProduceAsync(output, Message(last.Message.Value + "!"));
        }
        producer.SendOffsetsToTransaction([new TopicPartitionOffset(input, 0, last!.Offset + 1)], consumer.ConsumerGroupMetadata, Timeout);
        if (commit) producer.CommitTransaction(Timeout);
        consumer.Close();
    }

    private static async Task InTransactionAsync(IProducer<string?, string> producer, string topic, string[] values, bool commit)
    {
        producer.BeginTransaction();
        for (var i = 0; i < values.Length; i++) await producer.ProduceAsync(new TopicPartition(topic, i % 2 == 0 ? 0 : 1), Message(values[i]));
        if (commit) producer.CommitTransaction(Timeout);
        else producer.AbortTransaction(Timeout);
    }

    private List<ConsumeResult<string?, string>> ReadAll(string topic, IsolationLevel level, int expected)
    {
        using var consumer = Consumer(level);
        using var admin = Admin();
        var partitions = admin.GetMetadata(topic, Timeout).Topics.Single().Partitions;
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p.PartitionId, Offset.Beginning)));
        var records = Take(consumer, expected);
        // Nothing more is delivered: an aborted record would show up here.
        Assert.Null(consumer.Consume(HeldBack));
        return [.. records.OrderBy(r => r.Partition.Value).ThenBy(r => r.Offset.Value)];
    }

    private static List<ConsumeResult<string?, string>> Take(IConsumer<string?, string> consumer, int count)
    {
        var records = new List<ConsumeResult<string?, string>>();
        while (records.Count < count)
            records.Add(consumer.Consume(Timeout) ?? throw new TimeoutException($"{records.Count} of {count} records arrived"));
        return records;
    }

    private static IEnumerable<string> Values(IEnumerable<ConsumeResult<string?, string>> records) => records.Select(r => r.Message.Value);

    private static Message<string?, string> Message(string value) => new() { Value = value };

    private IProducer<string?, string> TransactionalProducer(string transactionalId, int transactionTimeoutMs = 60000) =>
        new ProducerBuilder<string?, string>(new ProducerConfig
        {
            BootstrapServers = kafka.Bootstrap, TransactionalId = transactionalId, LingerMs = 5, MessageTimeoutMs = Math.Min(20000, transactionTimeoutMs), // librdkafka wants it within the transaction timeout
            TransactionTimeoutMs = transactionTimeoutMs,
        }).Build();

    private IConsumer<string?, string> Consumer(IsolationLevel level) =>
        new ConsumerBuilder<string?, string>(new ConsumerConfig
        {
            BootstrapServers = kafka.Bootstrap, GroupId = "unused-" + Guid.NewGuid().ToString("N"), EnableAutoCommit = false,
            IsolationLevel = level,
        }).Build();

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();

    private async Task<string> CreateTopicAsync(string prefix, int partitions)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        using var admin = Admin();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        return topic;
    }
}
