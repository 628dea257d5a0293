using Hub.Client;

namespace Hub.Faults.Workloads;

/// <summary>The Hub SDK: one <see cref="HubProducer"/> with its default options (acks=all) through the Orleans gateways.</summary>
public sealed class SdkRecordSender : IRecordSender
{
    /// <summary>How long closing may take to flush what is still buffered; the workload drained what it could already.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private readonly HubClient _client;
    private readonly HubProducer _producer;
    private readonly string _topic;

    private SdkRecordSender(HubClient client, string topic)
    {
        _client = client;
        _producer = client.CreateProducer(new ProducerOptions { Acks = Acks.All });
        _topic = topic;
    }

    public static async Task<IRecordSender> ConnectAsync(ClusterEndpoints cluster, CancellationToken stop)
    {
        var client = await HubClient.ConnectAsync(new HubClientOptions { Gateways = [.. cluster.Gateways.Select(g => g.ToString())] }, stop);
        return new SdkRecordSender(client, cluster.Topic);
    }

    public async Task<long> SendAsync(int partition, string value)
    {
        var written = await _producer.ProduceAsync(_topic, new ProducerRecord { Partition = partition, Value = System.Text.Encoding.UTF8.GetBytes(value) });
        return written.Offset;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _producer.DisposeAsync().AsTask().WaitAsync(CloseTimeout);
        }
        catch (TimeoutException)
        {
            // Records still unanswered stay so in the history: neither acknowledged nor failed.
        }
        await _client.DisposeAsync();
    }
}
