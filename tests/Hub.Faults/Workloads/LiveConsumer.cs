using Confluent.Kafka;
using Hub.Faults.History;

namespace Hub.Faults.Workloads;

/// <summary>
/// An observer: one Confluent.Kafka consumer per partition reading as the run goes, each record recorded in the
/// history, so a record a consumer saw and the log later lost is caught by the checker. The standard one reads at
/// read_uncommitted (<see cref="RecordConsumed"/>); <see cref="ReadCommitted"/> reads the transactional topic
/// (<see cref="CommittedRecordConsumed"/>), where it must never see an aborted transaction's record.
/// </summary>
public sealed class LiveConsumer : IWorkload
{
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(200);

    private readonly IsolationLevel _isolation;
    private readonly Func<TimeSpan, int, ConsumeResult<Null, string?>, HistoryEvent> _seen;

    public LiveConsumer()
        : this("live-consumer", IsolationLevel.ReadUncommitted, (at, partition, result) =>
            new RecordConsumed(at, "live-consumer", partition, result.Offset.Value, result.Message.Value ?? ""))
    {
    }

    private LiveConsumer(string name, IsolationLevel isolation, Func<TimeSpan, int, ConsumeResult<Null, string?>, HistoryEvent> seen)
    {
        Name = name;
        _isolation = isolation;
        _seen = seen;
    }

    /// <summary>The read_committed consumer of the transactional topic.</summary>
    public static LiveConsumer ReadCommitted() => new("committed-consumer", IsolationLevel.ReadCommitted, (at, partition, result) =>
        new CommittedRecordConsumed(at, partition, result.Offset.Value, result.Message.Value ?? ""));

    public string Name { get; }

    public Task RunAsync(ClusterEndpoints cluster, RunHistory history, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, cluster.Partitions).Select(p =>
            Task.Factory.StartNew(() => Consume(cluster, p, history, stop), TaskCreationOptions.LongRunning)));

    private void Consume(ClusterEndpoints cluster, int partition, RunHistory history, CancellationToken stop)
    {
        using var consumer = ConfluentConsumers.FromLogStart(cluster, partition, $"{Name}-{partition}", _isolation);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var result = consumer.Consume(stop);
                    history.Add(_seen(history.Now, partition, result));
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
