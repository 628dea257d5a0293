using Hub.Errors;
using Hub.Silo.InterBroker;
using Hub.Topics;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Cluster;

/// <summary>
/// The controller's word sent to a replica by hand. <see cref="IInterBrokerPartitionGrain.ApplyAssignment"/> is
/// one-way, and Orleans may deliver a later call from the same sender before it (seen in CI at load: an append
/// that overtook an ISR change, a produce that overtook an epoch bump), so a test waits for the replica to hold it.
/// </summary>
internal static class HandAssignments
{
    /// <summary>Sends <paramref name="assignment"/>, which makes its replica the leader in a newer epoch, and waits until it leads in that epoch.</summary>
    public static async Task ApplyAsLeaderAsync(IInterBrokerPartitionGrain replica, PartitionAssignment assignment)
    {
        await replica.ApplyAssignment(assignment);
        await WaitUntilAsync(() => LeadsInAsync(replica, assignment.LeaderEpoch), $"the replica leads in epoch {assignment.LeaderEpoch}");
    }

    /// <summary>Whether the replica answers as the leader in <paramref name="epoch"/>; false while it holds another.</summary>
    public static async Task<bool> LeadsInAsync(IInterBrokerPartitionGrain replica, int epoch)
    {
        try
        {
            await replica.EndOffsetForEpoch(epoch, currentLeaderEpoch: epoch);
            return true;
        }
        catch (HubException e) when (e.Code is ErrorCode.UnknownLeaderEpoch or ErrorCode.FencedLeaderEpoch)
        {
            return false;
        }
    }
}
