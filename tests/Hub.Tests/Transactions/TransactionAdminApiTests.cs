using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Errors;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Kafka;
using static Hub.Tests.Transactions.TransactionAdminWire;

namespace Hub.Tests.Transactions;

/// <summary>
/// ListTransactions, DescribeTransactions and DescribeProducers on the wire (Confluent.Kafka 2.x has no admin calls for
/// them), against transactions a Confluent.Kafka transactional producer leaves in each state.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class TransactionAdminApiTests(KafkaCluster kafka)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ApiVersions_offers_the_three_apis()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var reader = Body(await CallAsync(connection, ApiKey.ApiVersions, 0, RequestBodies.ApiVersions(0), flexible: false), flexible: false);
        Assert.Equal(0, reader.ReadInt16());
        var versions = new Dictionary<short, (short, short)>();
        for (var count = reader.ReadArrayLength(); count > 0; count--) versions[reader.ReadInt16()] = (reader.ReadInt16(), reader.ReadInt16());
        Assert.Equal(((short)0, (short)0), versions[(short)ApiKey.DescribeProducers]);
        Assert.Equal(((short)0, (short)0), versions[(short)ApiKey.DescribeTransactions]);
        Assert.Equal(((short)0, (short)1), versions[(short)ApiKey.ListTransactions]);
    }

    [Fact]
    public async Task Every_initialized_id_is_listed_with_its_producer_and_state_and_the_filters_select_among_them()
    {
        var topic = await CreateTopicAsync("txn-list");
        var prefix = "list-" + Guid.NewGuid().ToString("N")[..8];
        using var idle = TransactionalProducer($"{prefix}-idle");
        idle.InitTransactions(Timeout);
        using var committed = TransactionalProducer($"{prefix}-committed");
        committed.InitTransactions(Timeout);
        committed.BeginTransaction();
        await committed.ProduceAsync(topic, Message("c"));
        committed.CommitTransaction(Timeout);
        using var open = TransactionalProducer($"{prefix}-open");
        open.InitTransactions(Timeout);
        open.BeginTransaction();
        await open.ProduceAsync(topic, Message("o"));

        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var (error, unknown, all) = await ListAsync(connection, 1, [], [], -1);
        Assert.Equal(ErrorCode.None, error);
        Assert.Empty(unknown);
        var mine = all.Where(t => t.TransactionalId.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(t => t.TransactionalId);
        // An id with no transaction yet is known from its InitProducerId.
        Assert.Equal("Empty", mine[$"{prefix}-idle"].State);
        Assert.Equal("CompleteCommit", mine[$"{prefix}-committed"].State);
        Assert.Equal("Ongoing", mine[$"{prefix}-open"].State);
        Assert.Equal(3, mine.Values.Select(t => t.ProducerId).Distinct().Count());

        var ongoing = (await ListAsync(connection, 0, ["Ongoing", "NoSuchState"], [], -1));
        Assert.Equal(["NoSuchState"], ongoing.UnknownStates);
        Assert.Equal([$"{prefix}-open"], ongoing.Transactions.Where(t => t.TransactionalId.StartsWith(prefix, StringComparison.Ordinal)).Select(t => t.TransactionalId));
        var byProducer = await ListAsync(connection, 0, [], [mine[$"{prefix}-committed"].ProducerId], -1);
        Assert.Equal([mine[$"{prefix}-committed"]], byProducer.Transactions);
        // v1's duration filter: running for longer than 0 ms is the open one; longer than an hour, none of these.
        var running = await ListAsync(connection, 1, [], [], 0);
        Assert.Equal([$"{prefix}-open"], running.Transactions.Where(t => t.TransactionalId.StartsWith(prefix, StringComparison.Ordinal)).Select(t => t.TransactionalId));
        var old = await ListAsync(connection, 1, [], [], (long)TimeSpan.FromHours(1).TotalMilliseconds);
        Assert.DoesNotContain(old.Transactions, t => t.TransactionalId.StartsWith(prefix, StringComparison.Ordinal));
        open.AbortTransaction(Timeout);
    }

    [Fact]
    public async Task DescribeTransactions_shows_the_open_transactions_partitions_and_not_found_for_an_id_never_initialized()
    {
        var topic = await CreateTopicAsync("txn-describe", partitions: 2);
        var id = "describe-" + Guid.NewGuid().ToString("N");
        var unknown = "never-" + Guid.NewGuid().ToString("N");
        using var producer = TransactionalProducer(id, transactionTimeoutMs: 45_000);
        producer.InitTransactions(Timeout);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        producer.BeginTransaction();
        await producer.ProduceAsync(new Confluent.Kafka.TopicPartition(topic, 1), Message("a"));
        await producer.ProduceAsync(new Confluent.Kafka.TopicPartition(topic, 0), Message("b"));

        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var answers = await DescribeAsync(connection, id, unknown);
        var open = answers[0];
        Assert.Equal((ErrorCode.None, id, "Ongoing", 45_000), (open.Error, open.TransactionalId, open.State, open.TimeoutMs));
        Assert.InRange(open.StartMs, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.True(open.ProducerId >= 0);
        Assert.Equal(0, open.Epoch);
        Assert.Equal([$"{topic}:0,1"], open.Topics.Select(t => $"{t.Topic}:{string.Join(",", t.Partitions)}"));
        Assert.Equal((ErrorCode.TransactionalIdNotFound, unknown), (answers[1].Error, answers[1].TransactionalId));

        producer.CommitTransaction(Timeout);
        var done = (await DescribeAsync(connection, id)).Single();
        Assert.Equal(("CompleteCommit", -1L, 0), (done.State, done.StartMs, done.Topics.Count));
    }

    [Fact]
    public async Task DescribeProducers_shows_each_producers_epoch_last_sequence_and_open_transaction_from_the_leader()
    {
        var topic = await CreateTopicAsync("txn-producers");
        using var producer = TransactionalProducer("producers-" + Guid.NewGuid().ToString("N"));
        producer.InitTransactions(Timeout);
        producer.BeginTransaction();
        await producer.ProduceAsync(topic, Message("first"));
        await producer.ProduceAsync(topic, Message("second"));

        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var (error, producers) = (await DescribeProducersAsync(connection, (topic, [0]))).Single();
        Assert.Equal(ErrorCode.None, error);
        var open = Assert.Single(producers);
        Assert.Equal((0, 1, -1, 0L), (open.Epoch, open.LastSequence, open.CoordinatorEpoch, open.TxnStartOffset));
        Assert.InRange(open.LastTimestamp, before - 60_000, before + 1000);

        producer.CommitTransaction(Timeout);
        var committed = Assert.Single((await DescribeProducersAsync(connection, (topic, [0]))).Single().Producers);
        Assert.Equal((open.ProducerId, 0, 1, -1L), (committed.ProducerId, committed.Epoch, committed.LastSequence, committed.TxnStartOffset));

        var missing = await DescribeProducersAsync(connection, (topic, [1]), ("no-such-topic-" + Guid.NewGuid().ToString("N"), [0]));
        Assert.Equal([ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicOrPartition], missing.Select(p => p.Error));
    }

    private static Message<string?, string> Message(string value) => new() { Value = value };

    private IProducer<string?, string> TransactionalProducer(string transactionalId, int transactionTimeoutMs = 60000) =>
        new ProducerBuilder<string?, string>(new ProducerConfig
        {
            BootstrapServers = kafka.Bootstrap, TransactionalId = transactionalId, LingerMs = 5, MessageTimeoutMs = 20000,
            TransactionTimeoutMs = transactionTimeoutMs,
        }).Build();

    private async Task<string> CreateTopicAsync(string prefix, int partitions = 1)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        return topic;
    }
}
