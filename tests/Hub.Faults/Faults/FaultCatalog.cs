namespace Hub.Faults.Faults;

/// <summary>Every kind of fault a run can inject, by the name --kinds and the checker's table use.</summary>
internal static class FaultCatalog
{
    /// <param name="waitHealthy">Waits (bounded) until the cluster healed; the rolling restart waits between brokers.</param>
    public static IReadOnlyList<IFault> All(Func<CancellationToken, Task> waitHealthy) =>
    [
        new KillFault("kill-broker", Targets.AnyBroker),
        new KillFault("kill-leader", Targets.LeaderOfAPartition),
        new KillFault("kill-controller", Targets.Controller),
        new KillFault("kill-followers", Targets.FollowersOfAPartition),
        new PauseFault(),
        new IsolateFromPeersFault("isolate-leader", Targets.LeaderOfAPartition),
        new IsolateFromPeersFault("isolate-controller", Targets.Controller),
        new KillFault("kill-coordinator", Targets.TransactionCoordinator),
        new IsolateFromPeersFault("isolate-coordinator", Targets.TransactionCoordinator),
        new IsolateFromStoreFault(),
        new RestartStoreFault(),
        new FailLogDirectoryFault(),
        new CleanRestartFault(),
        new RollingRestartFault(waitHealthy),
    ];

    public static IReadOnlyList<string> Kinds { get; } = [.. All(_ => Task.CompletedTask).Select(fault => fault.Kind)];

    /// <summary>The kinds that target a transactional workload's coordinator: without transactions they have nothing to hit.</summary>
    public static IReadOnlyList<string> CoordinatorKinds { get; } = ["kill-coordinator", "isolate-coordinator"];
}
