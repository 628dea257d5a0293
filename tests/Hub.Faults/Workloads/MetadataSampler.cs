using Hub.Faults.History;

namespace Hub.Faults.Workloads;

/// <summary>
/// An observer: asks the brokers in turn for the topic's metadata (leader, leader epoch, ISR, replicas) every
/// <see cref="Interval"/> and records each partition's as <see cref="MetadataSeen"/> whenever it changed. A broker
/// that does not answer within <see cref="AnswerTimeout"/> (dead, paused, cut off) is skipped for the next.
/// </summary>
public sealed class MetadataSampler : IWorkload
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    /// <summary>Well under a second: a healthy broker answers in milliseconds, and a stuck one must not stop sampling for long.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromMilliseconds(800);

    public string Name => "metadata-sampler";

    public async Task RunAsync(ClusterEndpoints cluster, RunHistory history, CancellationToken stop)
    {
        var last = new Dictionary<int, PartitionMetadata>();
        var broker = 0;
        using var ticks = new PeriodicTimer(Interval);
        try
        {
            while (await ticks.WaitForNextTickAsync(stop))
            {
                for (var tried = 0; tried < cluster.KafkaBootstrap.Count; tried++, broker = (broker + 1) % cluster.KafkaBootstrap.Count)
                {
                    if (await AskAsync(cluster.KafkaBootstrap[broker], cluster.Topic, stop) is not { } partitions) continue;
                    foreach (var p in partitions)
                    {
                        if (last.TryGetValue(p.Partition, out var previous) && Same(previous, p)) continue;
                        last[p.Partition] = p;
                        history.Add(new MetadataSeen(history.Now, p.Partition, p.Leader, p.LeaderEpoch, p.Isr, p.Replicas));
                    }
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private static async Task<IReadOnlyList<PartitionMetadata>?> AskAsync(string broker, string topic, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(AnswerTimeout);
        try
        {
            return await MetadataV7Request.SendAsync(broker, topic, timeout.Token);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException
                                      || (e is OperationCanceledException && !stop.IsCancellationRequested))
        {
            return null;
        }
    }

    private static bool Same(PartitionMetadata a, PartitionMetadata b) =>
        a.Leader == b.Leader && a.LeaderEpoch == b.LeaderEpoch && a.Isr.SequenceEqual(b.Isr) && a.Replicas.SequenceEqual(b.Replicas);
}
