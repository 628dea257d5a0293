using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Errors;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Kafka;

namespace Hub.Tests.Transactions;

/// <summary>
/// ListTransactions, DescribeTransactions and DescribeProducers on the wire (Confluent.Kafka 2.x has no admin calls for
/// them), against transactions a Confluent.Kafka transactional producer leaves in each state.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class TransactionAdminApiTests(KafkaCluster kafka)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private const int CorrelationId = 11;

    private sealed record Listing(string TransactionalId, long ProducerId, string State);

    private sealed record Description(ErrorCode Error, string TransactionalId, string State, int TimeoutMs, long StartMs, long ProducerId, int Epoch,
        List<(string Topic, int[] Partitions)> Topics);

    private sealed record Producer(long ProducerId, int Epoch, int LastSequence, long LastTimestamp, int CoordinatorEpoch, long TxnStartOffset);

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

    private static async Task<(ErrorCode Error, List<string> UnknownStates, List<Listing> Transactions)> ListAsync(
        RawKafkaConnection connection, short version, string[] states, long[] producerIds, long durationMs)
    {
        var request = Encode(w =>
        {
            w.WriteArrayLength(states.Length);
            foreach (var state in states) w.WriteString(state);
            w.WriteArrayLength(producerIds.Length);
            foreach (var producerId in producerIds) w.WriteInt64(producerId);
            if (version >= 1) w.WriteInt64(durationMs);
            w.WriteEmptyTaggedFields();
        });
        var reader = Body(await CallAsync(connection, ApiKey.ListTransactions, version, request, flexible: true), flexible: true);
        reader.ReadInt32(); // throttle time
        var error = (ErrorCode)reader.ReadInt16();
        var unknown = new List<string>();
        for (var count = reader.ReadArrayLength(); count > 0; count--) unknown.Add(reader.ReadString());
        var listed = new List<Listing>();
        for (var count = reader.ReadArrayLength(); count > 0; count--)
        {
            listed.Add(new Listing(reader.ReadString(), reader.ReadInt64(), reader.ReadString()));
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
        return (error, unknown, listed);
    }

    private static async Task<List<Description>> DescribeAsync(RawKafkaConnection connection, params string[] ids)
    {
        var request = Encode(w =>
        {
            w.WriteArrayLength(ids.Length);
            foreach (var id in ids) w.WriteString(id);
            w.WriteEmptyTaggedFields();
        });
        var reader = Body(await CallAsync(connection, ApiKey.DescribeTransactions, 0, request, flexible: true), flexible: true);
        reader.ReadInt32(); // throttle time
        var answers = new List<Description>();
        for (var count = reader.ReadArrayLength(); count > 0; count--)
        {
            var (error, id, state, timeout, start, producerId, epoch) =
                ((ErrorCode)reader.ReadInt16(), reader.ReadString(), reader.ReadString(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32());
            var topics = new List<(string, int[])>();
            for (var t = reader.ReadArrayLength(); t > 0; t--)
            {
                var name = reader.ReadString();
                var partitions = new int[reader.ReadArrayLength()];
                for (var p = 0; p < partitions.Length; p++) partitions[p] = reader.ReadInt32();
                reader.SkipTaggedFields();
                topics.Add((name, partitions));
            }
            reader.SkipTaggedFields();
            answers.Add(new Description(error, id, state, timeout, start, producerId, epoch, topics));
        }
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
        return answers;
    }

    private static async Task<List<(ErrorCode Error, List<Producer> Producers)>> DescribeProducersAsync(RawKafkaConnection connection,
        params (string Topic, int[] Partitions)[] topics)
    {
        var request = Encode(w =>
        {
            w.WriteArrayLength(topics.Length);
            foreach (var (topic, partitions) in topics)
            {
                w.WriteString(topic);
                w.WriteArrayLength(partitions.Length);
                foreach (var partition in partitions) w.WriteInt32(partition);
                w.WriteEmptyTaggedFields();
            }
            w.WriteEmptyTaggedFields();
        });
        var reader = Body(await CallAsync(connection, ApiKey.DescribeProducers, 0, request, flexible: true), flexible: true);
        reader.ReadInt32(); // throttle time
        var answers = new List<(ErrorCode, List<Producer>)>();
        for (var t = reader.ReadArrayLength(); t > 0; t--)
        {
            reader.ReadString();
            for (var p = reader.ReadArrayLength(); p > 0; p--)
            {
                reader.ReadInt32(); // partition index
                var error = (ErrorCode)reader.ReadInt16();
                reader.ReadNullableString(); // error message
                var producers = new List<Producer>();
                for (var count = reader.ReadArrayLength(); count > 0; count--)
                {
                    producers.Add(new Producer(reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64()));
                    reader.SkipTaggedFields();
                }
                reader.SkipTaggedFields();
                answers.Add((error, producers));
            }
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
        return answers;
    }

    private static byte[] Encode(Action<ProtocolWriter> write)
    {
        using var writer = new ProtocolWriter { Flexible = true };
        write(writer);
        return writer.WrittenSpan.ToArray();
    }

    private static async Task<byte[]> CallAsync(RawKafkaConnection connection, ApiKey key, short version, byte[] body, bool flexible)
    {
        await connection.SendAsync(key, version, CorrelationId, body, flexibleHeader: flexible);
        return await connection.ReceiveAsync(Timeout) ?? throw new TimeoutException($"no answer to {key} v{version}");
    }

    /// <summary>A reader past the response header (v1, with tagged fields, for flexible versions).</summary>
    private static ProtocolReader Body(byte[] response, bool flexible)
    {
        var reader = new ProtocolReader(response, flexible);
        Assert.Equal(CorrelationId, reader.ReadInt32());
        if (flexible) reader.SkipTaggedFields();
        return reader;
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
