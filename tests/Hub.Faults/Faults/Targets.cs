using Hub.Faults.Workloads;

namespace Hub.Faults.Faults;

/// <summary>
/// How faults pick their brokers: any broker, the leader or the followers of a random partition (from the
/// controller's stored assignment), or the silo of the controller or of a transactional id's coordinator (from the
/// grain directory, see <see cref="Cluster.ClusterControl.TryFindControllerAsync"/>). When the cluster cannot say, any broker.
/// </summary>
internal static class Targets
{
    public static Task<Target> AnyBroker(FaultContext context)
    {
        var broker = context.Random.Next(context.Cluster.Silos.Count);
        return Task.FromResult(new Target([broker], $"broker {broker}"));
    }

    public static async Task<Target> LeaderOfAPartition(FaultContext context)
    {
        var partition = context.Random.Next(context.Partitions);
        var topic = await context.Cluster.Control.TryGetTopicAsync(context.Topic);
        return topic?.Partitions[partition] is { HasLeader: true } assignment
            ? new Target([assignment.Leader], $"broker {assignment.Leader}, leader of partition {partition}")
            : await Unknown(context, $"the leader of partition {partition}");
    }

    public static async Task<Target> FollowersOfAPartition(FaultContext context)
    {
        var partition = context.Random.Next(context.Partitions);
        var topic = await context.Cluster.Control.TryGetTopicAsync(context.Topic);
        if (topic?.Partitions[partition] is not { HasLeader: true } assignment) return await Unknown(context, $"the followers of partition {partition}");
        var followers = assignment.Replicas.Where(replica => replica != assignment.Leader).ToList();
        return new Target(followers, $"brokers {string.Join(',', followers)}, the followers of partition {partition} (leader {assignment.Leader})");
    }

    public static async Task<Target> Controller(FaultContext context) =>
        await context.Cluster.Control.TryFindControllerAsync() is { } broker
            ? new Target([broker], $"broker {broker}, the controller's silo")
            : await Unknown(context, "the controller's silo");

    /// <summary>The silo of the coordinator of one of the transactional workloads' ids, from the grain directory.</summary>
    public static async Task<Target> TransactionCoordinator(FaultContext context)
    {
        var id = TransactionalWorkloads.Ids[context.Random.Next(TransactionalWorkloads.Ids.Count)];
        return await context.Cluster.Control.TryFindTransactionCoordinatorAsync(id) is { } broker
            ? new Target([broker], $"broker {broker}, the coordinator of transactional id {id}")
            : await Unknown(context, $"the coordinator of transactional id {id}");
    }

    private static async Task<Target> Unknown(FaultContext context, string wanted)
    {
        var any = await AnyBroker(context);
        return any with { Description = $"{any.Description} (the cluster did not say which is {wanted})" };
    }
}
