using System.Collections.Concurrent;
using Hub.Grains;
using Hub.Partitions;
using Orleans.Runtime;

namespace Hub.Tests.Client;

/// <summary>
/// Serves the SDK's grain look-ups (the controller, producer ids, partition replicas by key) from in-memory fakes, so
/// producer, consumer and admin run end to end without a silo. Every other factory member is unused.
/// </summary>
internal sealed class InMemoryGrainFactory : IGrainFactory
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), InMemoryPartitionLog> _logs = new();

    public InMemoryClusterController Controller { get; } = new();

    public InMemoryProducerIdGrain ProducerIds { get; } = new();

    public InMemoryPartitionLog Log(string topic, int partition) => _logs.GetOrAdd((topic, partition), _ => new InMemoryPartitionLog());

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerKey =>
        primaryKey != 0 ? throw new NotSupportedException()
        : Controller is TGrainInterface controller ? controller
        : ProducerIds is TGrainInterface producerIds ? producerIds
        : throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey
    {
        var (topic, partition, broker) = PartitionKey.Parse(primaryKey);
        IPartitionGrain replica = new InMemoryPartitionGrain(this, topic, partition, broker);
        return (TGrainInterface)replica;
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidKey => throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey => throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey => throw new NotSupportedException();

    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj)
        where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();

    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj)
        where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable =>
        throw new NotSupportedException();

    public IAddressable GetGrain(GrainId grainId) => throw new NotSupportedException();

    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => throw new NotSupportedException();

    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey, string? grainClassNamePrefix) => throw new NotSupportedException();

    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey) => throw new NotSupportedException();
}
