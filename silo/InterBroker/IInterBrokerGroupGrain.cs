using Hub.Grains;

namespace Hub.Silo.InterBroker;

/// <summary>A consumer group's silo-only side: housekeeping the group directory calls.</summary>
internal interface IInterBrokerGroupGrain : IConsumerGroupGrain
{
    /// <summary>
    /// Housekeeping, called periodically: drops offsets of an empty group older than the offsets retention
    /// (counted from the later of the commit and the moment the group became empty), and the group itself once
    /// it is empty with no offsets left.
    /// </summary>
    Task ExpireOffsets();
}
