namespace Hub.Silo.Placement;

/// <summary>
/// Places a grain on the silo of the broker named in its key (see <see cref="Hub.Partitions.PartitionKey"/>):
/// its data lives on that broker's disk, so it must never activate anywhere else.
/// </summary>
[Serializable, GenerateSerializer, Immutable]
internal sealed class BrokerPlacement : PlacementStrategy
{
    public static BrokerPlacement Instance { get; } = new();
}
