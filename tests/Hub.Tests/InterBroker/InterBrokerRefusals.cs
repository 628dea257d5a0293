using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.InterBroker;
using Hub.Topics;

namespace Hub.Tests.InterBroker;

/// <summary>What the tests of inter-broker call refusals send as a client, and how they check a refusal.</summary>
internal static class InterBrokerRefusals
{
    /// <summary>Start of the silo's warning about a refused call, naming the method (see <see cref="InterBrokerCallFilter"/>).</summary>
    public static string Warning(string method) => $"Refused {method} on ";

    /// <summary>
    /// A permanent rogue leader: a broker that does not exist leads in a newer epoch, at a version no controller
    /// assignment can supersede, so the replica would follow it and refuse producers for as long as it is active.
    /// </summary>
    public static PartitionAssignment Rogue(PartitionAssignment current) =>
        current with { Leader = 7, Replicas = [.. current.Replicas, 7], Isr = [.. current.InSync, 7], LeaderEpoch = current.LeaderEpoch + 1, Version = int.MaxValue };

    public static ReplicaFetchRequest FetchFrom(int offset, int leaderEpoch) =>
        new(ReplicaBrokerId: 1, leaderEpoch, FetchOffset: offset, LastFetchedEpoch: -1, MaxBytes: 1 << 20, MaxWaitMs: 0);

    /// <summary>The call fails with CLUSTER_AUTHORIZATION_FAILED, saying which method was refused and why.</summary>
    public static async Task AssertRefusedAsync(Func<Task> call, string method)
    {
        var refused = await Assert.ThrowsAsync<HubException>(call);
        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, refused.Code);
        Assert.Contains(method, refused.Message);
        Assert.Contains("only the cluster's silos may make", refused.Message);
    }

    public static string FirstSegment(string dataDirectory, string topic) =>
        Path.Combine(dataDirectory, "logs", $"{topic}-0", "00000000000000000000.log");

    public static string Replica(string topic) => PartitionKey.Format(topic, 0, brokerId: 0);
}
