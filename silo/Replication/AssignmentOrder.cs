using Hub.Topics;

namespace Hub.Silo.Replication;

/// <summary>
/// Whether a replica takes an assignment it is sent: only one that is newer than the one it holds, by version,
/// and never one that would take its leader epoch back. The controller stores every decision before sending it
/// and each change bumps the version, so a higher version with a lower epoch can only be a stale or foreign
/// decision; adopting it would let two leaders write under one epoch, which epoch-based truncation
/// (<see cref="LogDivergence"/>) relies on never happening.
/// </summary>
internal static class AssignmentOrder
{
    public static bool Supersedes(PartitionAssignment offered, PartitionAssignment held) =>
        offered.Version > held.Version && offered.LeaderEpoch >= held.LeaderEpoch;
}
