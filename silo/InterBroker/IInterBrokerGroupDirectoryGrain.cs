using Hub.Grains;

namespace Hub.Silo.InterBroker;

/// <summary>The group directory's silo-only side: groups register themselves, and the silos' expiry timer calls in.</summary>
internal interface IInterBrokerGroupDirectoryGrain : IGroupDirectoryGrain
{
    Task Register(string groupId);

    Task Unregister(string groupId);

    /// <summary>Asks every group to expire its old offsets (<see cref="IInterBrokerGroupGrain.ExpireOffsets"/>).</summary>
    Task ExpireOffsets();
}
