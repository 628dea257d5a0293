namespace Hub.Faults.Workloads;

/// <summary>
/// What a run drives on the transactional topic (a topic of its own, so its aborted records never meet the other
/// workloads' checks): a <see cref="TransactionalWorkload"/> per id in <see cref="Ids"/>, and a read_committed
/// <see cref="LiveConsumer"/>. Stopped like the standard workloads, then read back with <see cref="ReadBack.ReadCommittedAsync"/>.
/// </summary>
public static class TransactionalWorkloads
{
    /// <summary>The topic's name beside the run's topic.</summary>
    public const string TopicSuffix = "-txn";

    /// <summary>Two ids: their transactions interleave on each partition, as concurrent applications' do; the coordinator faults target one.</summary>
    public static IReadOnlyList<string> Ids { get; } = ["txn-a", "txn-b"];

    public static IReadOnlyList<IWorkload> Create() => [.. Ids.Select(id => new TransactionalWorkload(id)), LiveConsumer.ReadCommitted()];
}
