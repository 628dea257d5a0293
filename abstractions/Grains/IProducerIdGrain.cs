namespace Hub.Grains;

/// <summary>
/// Hands out producer ids (Kafka's InitProducerId) unique across the cluster and its restarts: one activation,
/// key 0, with durable state.
/// </summary>
public interface IProducerIdGrain : IGrainWithIntegerKey
{
    Task<long> Allocate();
}
