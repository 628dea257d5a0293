using Confluent.Kafka;

namespace Hub.Faults.Workloads;

/// <summary>
/// Confluent.Kafka (librdkafka): one idempotent producer (acks=all) for every partition, records sent to the
/// partition named. A fatal error (librdkafka gives up on the idempotence state) fails the producer's records;
/// the next record gets a fresh producer, as an application would. With a client log directory, librdkafka's
/// idempotence log (its "eos" debug context: producer id and epoch changes, and why) goes to confluent.log there,
/// to name the broker answer behind an epoch bump.
/// </summary>
public sealed class ConfluentRecordSender : IRecordSender
{
    /// <summary>
    /// librdkafka retries a record until this (delivery.timeout.ms); well below its 300 s default, so a record
    /// stuck through a fault is answered within the run, and above a fault's few seconds plus an election.
    /// </summary>
    private const int DeliveryTimeoutMs = 60_000;

    /// <summary>How long a replaced producer may take to fail its records before it is closed.</summary>
    private static readonly TimeSpan ReplacedProducerFlush = TimeSpan.FromSeconds(10);

    private readonly ProducerConfig _config;
    private readonly string _topic;
    private readonly Lock _lock = new();
    private IProducer<Null, string> _producer;
    private readonly List<Task> _closing = [];
    private readonly StreamWriter? _log;
    private bool _logClosed;

    private ConfluentRecordSender(ClusterEndpoints cluster)
    {
        _topic = cluster.Topic;
        _config = new ProducerConfig
        {
            BootstrapServers = string.Join(',', cluster.KafkaBootstrap),
            ClientId = "hub-faults-confluent",
            EnableIdempotence = true,
            Acks = Acks.All,
            // Idempotence keeps order with up to 5 requests in flight per connection (Kafka's limit for it).
            MaxInFlight = 5,
            LingerMs = 5,
            MessageTimeoutMs = DeliveryTimeoutMs,
        };
        if (cluster.ClientLogDirectory is { } directory)
        {
            _config.Debug = "eos";
            _log = new StreamWriter(Path.Combine(directory, "confluent.log"), append: true) { AutoFlush = true };
        }
        _producer = Build();
    }

    public static Task<IRecordSender> ConnectAsync(ClusterEndpoints cluster, CancellationToken stop) =>
        Task.FromResult<IRecordSender>(new ConfluentRecordSender(cluster));

    public async Task<long> SendAsync(int partition, string value)
    {
        var producer = Current();
        try
        {
            var result = await producer.ProduceAsync(new TopicPartition(_topic, partition), new Message<Null, string> { Value = value });
            return result.Offset.Value;
        }
        catch (ProduceException<Null, string> e) when (e.Error.IsFatal)
        {
            Replace(producer);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        IProducer<Null, string> producer;
        lock (_lock) producer = _producer;
        Close(producer);
        Task[] closing;
        lock (_lock) closing = [.. _closing];
        await Task.WhenAll(closing);
        if (_log is not null)
        {
            lock (_log)
            {
                _logClosed = true;
                _log.Dispose();
            }
        }
    }

    private IProducer<Null, string> Build()
    {
        var builder = new ProducerBuilder<Null, string>(_config);
        // librdkafka reports errors it recovers from here too; only a fatal one needs a new producer.
        builder.SetErrorHandler((producer, error) =>
        {
            if (error.IsFatal) Replace(producer);
        });
        builder.SetLogHandler((_, message) =>
        {
            if (_log is null) return;
            // A producer still closing may log after DisposeAsync gave up on it.
            lock (_log)
                if (!_logClosed) _log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {message.Level} {message.Facility} {message.Message}");
        });
        return builder.Build();
    }

    private IProducer<Null, string> Current()
    {
        lock (_lock) return _producer;
    }

    private void Replace(IProducer<Null, string> failed)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_producer, failed)) return;
            _producer = Build();
        }
        Close(failed);
    }

    private void Close(IProducer<Null, string> producer)
    {
        var closing = Task.Run(() =>
        {
            producer.Flush(ReplacedProducerFlush);
            producer.Dispose();
        });
        lock (_lock) _closing.Add(closing);
    }
}
