using Hub.Groups;

namespace Hub.Grains;

/// <summary>
/// Hub's key-ordered parallel consumption of one partition by one group (key
/// <see cref="KeyOrderedPartitionKey"/>): any number of consumers share the partition; each key is handed to
/// one consumer at a time, in offset order (a key's next record waits until its previous one is
/// acknowledged); a consumer that stops polling for its session timeout loses its unacknowledged records to
/// the others. The group's committed offset (in <see cref="IConsumerGroupGrain"/>, committed without a
/// generation) only moves past records that every consumer acknowledged, so a restart re-delivers, never skips.
/// </summary>
public interface IKeyOrderedPartitionGrain : IGrainWithStringKey
{
    /// <summary>Acknowledges, then long-polls for records whose keys are free. Acks of records the consumer no longer holds are ignored.</summary>
    Task<KeyOrderedRecord[]> Poll(KeyOrderedPoll poll);

    /// <summary>The consumer is done: its unacknowledged records go to the others at once.</summary>
    Task Leave(string consumerId);
}
