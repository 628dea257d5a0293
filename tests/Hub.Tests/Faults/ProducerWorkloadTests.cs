using Hub.Faults.History;
using Hub.Faults.Workloads;

namespace Hub.Tests.Faults;

/// <summary>The producer workload's loop over a client that fails half its records: it records everything and goes on.</summary>
public sealed class ProducerWorkloadTests
{
    private const int Partitions = 2;

    /// <summary>Answers of each kind to wait for per partition: a second of the workload's pace.</summary>
    private const int AnswersPerKind = 5;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly ClusterEndpoints Cluster = new([], [], "t", Partitions, ReplicationFactor: 3, MinInsyncReplicas: 2);

    [Fact]
    public async Task Every_send_is_answered_in_the_history_failures_do_not_stop_it_and_stopping_does()
    {
        var history = new RunHistory();
        var workload = new ProducerWorkload("w", (_, _) => Task.FromResult<IRecordSender>(new EveryOtherFails()));
        using var stop = new CancellationTokenSource();
        var running = workload.RunAsync(Cluster, history, stop.Token);

        using (var progress = new CancellationTokenSource(Timeout))
        {
            while (!Enough(history.Snapshot())) await Task.Delay(TimeSpan.FromMilliseconds(50), progress.Token);
        }
        await stop.CancelAsync();
        await running.WaitAsync(Timeout);

        var events = history.Snapshot();
        var sent = events.OfType<ProduceSent>().ToArray();
        var answered = events.OfType<ProduceAcked>().Select(a => a.Value).Concat(events.OfType<ProduceFailed>().Select(f => f.Value)).ToArray();
        Assert.Equal(sent.Select(s => s.Value).Order(), answered.Order());
        foreach (var partition in sent.GroupBy(s => s.Partition))
        {
            Assert.Equal(partition.Select((_, i) => $"w/{partition.Key}/{i}"), partition.Select(s => s.Value));
        }
    }

    private static bool Enough(IReadOnlyList<HistoryEvent> events) =>
        Enumerable.Range(0, Partitions).All(p =>
            events.OfType<ProduceAcked>().Count(a => a.Partition == p) >= AnswersPerKind
            && events.OfType<ProduceFailed>().Count(f => f.Partition == p) >= AnswersPerKind);

    /// <summary>Acknowledges a partition's even-numbered records at offsets counting up, fails the others.</summary>
    private sealed class EveryOtherFails : IRecordSender
    {
        private readonly long[] _sent = new long[Partitions];
        private readonly long[] _offsets = new long[Partitions];

        public Task<long> SendAsync(int partition, string value) =>
            Interlocked.Increment(ref _sent[partition]) % 2 == 0
                ? Task.FromException<long>(new InvalidOperationException("refused"))
                : Task.FromResult(Interlocked.Increment(ref _offsets[partition]) - 1);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
