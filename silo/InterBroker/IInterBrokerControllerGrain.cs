using Hub.Grains;
using Hub.Topics;

namespace Hub.Silo.InterBroker;

/// <summary>
/// What brokers tell the controller, beside what clients may ask it (<see cref="IClusterControllerGrain"/>):
/// ISR changes from partition leaders, membership changes and failed log directories from every silo. Silo-only:
/// <see cref="InterBrokerCallFilter"/> refuses these calls to clients.
/// </summary>
internal interface IInterBrokerControllerGrain : IClusterControllerGrain
{
    /// <summary>
    /// A partition leader's request to change its in-sync replica set (Kafka's AlterPartition). Applied only
    /// when <paramref name="basedOnVersion"/> is the assignment's current version and the caller still leads;
    /// returns the assignment as it stands afterwards either way.
    /// </summary>
    Task<PartitionAssignment> AlterIsr(string topic, int partition, int leaderBroker, int basedOnVersion, int[] isr);

    /// <summary>
    /// Brokers joined or left the cluster (every silo calls this on membership changes; repeats are harmless):
    /// elects new leaders from the in-sync replicas of partitions whose leader is gone, drops dead brokers from
    /// in-sync sets, and tells the replicas concerned.
    /// </summary>
    Task BrokersChanged();

    /// <summary>
    /// Broker <paramref name="broker"/>'s log directory failed (an I/O error): its replicas stop; leadership moves
    /// to other in-sync replicas and the broker leaves every ISR (see <c>LeaderElection.AfterLogDirectoryFailure</c>),
    /// stored and then told to the replicas. Repeats are harmless.
    /// </summary>
    Task LogDirectoryFailed(int broker);
}
