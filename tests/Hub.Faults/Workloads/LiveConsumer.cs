using Confluent.Kafka;
using Hub.Faults.History;

namespace Hub.Faults.Workloads;

/// <summary>
/// An observer: one Confluent.Kafka consumer per partition reading as the run goes, each record recorded as
/// <see cref="RecordConsumed"/>, so a record a consumer saw and the log later lost is caught by the checker.
/// </summary>
public sealed class LiveConsumer : IWorkload
{
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(200);

    public string Name => "live-consumer";

    public Task RunAsync(ClusterEndpoints cluster, RunHistory history, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, cluster.Partitions).Select(p =>
            Task.Factory.StartNew(() => Consume(cluster, p, history, stop), TaskCreationOptions.LongRunning)));

    private void Consume(ClusterEndpoints cluster, int partition, RunHistory history, CancellationToken stop)
    {
        using var consumer = ConfluentConsumers.FromLogStart(cluster, partition, $"{Name}-{partition}");
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var result = consumer.Consume(stop);
                    history.Add(new RecordConsumed(history.Now, Name, partition, result.Offset.Value, result.Message.Value ?? ""));
                }
                catch (ConsumeException)
                {
                    stop.WaitHandle.WaitOne(ErrorBackoff);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped; the consumer commits nothing, so it is disposed without leaving a group it never joined.
        }
    }
}
