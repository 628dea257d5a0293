using Hub.Errors;
using Hub.Partitions;
using Orleans.Runtime.Placement;

namespace Hub.Silo.Placement;

/// <summary>Activates a replica grain only on the silo of the broker its key names; refuses otherwise.</summary>
internal sealed class BrokerPlacementDirector(BrokerDirectory brokers) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        var (_, _, brokerId) = PartitionKey.Parse(key);
        var silo = brokers.FindSilo(brokerId, context.GetCompatibleSilos(target))
            ?? throw new HubException(ErrorCode.NotLeaderOrFollower, $"broker {brokerId} that holds '{key}' is not in the cluster");
        return Task.FromResult(silo);
    }
}
