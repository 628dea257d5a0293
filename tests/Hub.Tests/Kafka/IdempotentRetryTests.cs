using Confluent.Kafka;

namespace Hub.Tests.Kafka;

/// <summary>
/// Idempotent producers of real clients whose Produce answers get lost (<see cref="ResponseDroppingProxy"/>): they
/// send the stored batches again, and the partition stores each record once.
/// </summary>
public sealed class IdempotentRetryTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly ResponseDroppingProxy _proxy = new();
    private KafkaCluster _kafka = null!;

    public async Task InitializeAsync()
    {
        // The silo advertises the proxy, so clients reconnect through it after each cut.
        _kafka = new KafkaCluster(new Dictionary<string, string> { ["KafkaAdvertisedPort"] = $"{_proxy.Port}" });
        await _kafka.InitializeAsync();
        _proxy.Start(_kafka.Bootstrap);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _kafka.DisposeAsync();
    }

    [Fact]
    public async Task Confluent_idempotent_producer_retries_lost_answers_without_duplicates()
    {
        var topic = await CreateTopicAsync("retry-confluent");
        var errors = new List<Error>();
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig
               {
                   BootstrapServers = _proxy.Bootstrap, EnableIdempotence = true, LingerMs = 5, MessageTimeoutMs = 25_000,
               }).Build())
        {
            void Send(int from)
            {
                for (var i = from; i < from + 50; i++)
                    producer.Produce(topic, new Message<Null, string> { Value = $"{i}" }, r => { if (r.Error.IsError) lock (errors) errors.Add(r.Error); });
                Assert.Equal(0, producer.Flush(Timeout));
            }
            Send(0);
            _proxy.DropNextProduceResponses(2);
            Send(50);
        }

        Assert.Empty(errors);
        Assert.Equal(2, _proxy.Dropped);
        await AssertStoredOnceInOrderAsync(topic, 100);
    }

    [KafkajsFact]
    public async Task Kafkajs_idempotent_producer_retries_lost_answers_without_duplicates()
    {
        var topic = await CreateTopicAsync("retry-kafkajs");
        _proxy.DropNextProduceResponses(2);
        var records = await Kafkajs.RunAsync<Kafkajs.Message[]>("idempotent", _proxy.Bootstrap, topic, 5, 10);

        Assert.Equal(2, _proxy.Dropped);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{i}"), records.Select(r => r.ValueText));
        await AssertStoredOnceInOrderAsync(topic, 50);
    }

    /// <summary>Exactly <paramref name="count"/> records stored, each batch's first sequence number equal to its first offset (no gap, no repeat).</summary>
    private async Task AssertStoredOnceInOrderAsync(string topic, int count)
    {
        var batches = await _kafka.StoredBatchesAsync(topic);
        Assert.Equal(count, batches.Sum(b => b.RecordCount));
        Assert.All(batches, b => Assert.Equal(b.BaseOffset, b.BaseSequence));
    }

    private async Task<string> CreateTopicAsync(string prefix)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        await _kafka.Cluster.Client.Admin.CreateTopicAsync(topic, 1);
        return topic;
    }
}
