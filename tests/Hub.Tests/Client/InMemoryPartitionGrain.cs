using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;

namespace Hub.Tests.Client;

/// <summary>A replica reference on one broker: serves its partition's log only while the controller says it leads.</summary>
internal sealed class InMemoryPartitionGrain(InMemoryGrainFactory cluster, string topic, int partition, int broker) : IPartitionGrain
{
    public Task<AppendResult> Append(PooledBatches batches, short acks = RequiredAcks.All) => Lead(() => Task.FromResult(Log.Append(batches.Span)));

    public Task<FetchResult> Fetch(FetchRequest request) => Lead(() => Log.Fetch(request));

    public Task<OffsetAndTimestamp> ListOffset(long timestamp, int currentLeaderEpoch = -1) =>
        Lead(() => Task.FromResult(new OffsetAndTimestamp(Log.ListOffset(timestamp), -1)));

    public Task<PartitionState> GetState() => Lead(() => Task.FromResult(Log.State()));

    private InMemoryPartitionLog Log => cluster.Log(topic, partition);

    private Task<T> Lead<T>(Func<Task<T>> call)
    {
        try
        {
            return cluster.Controller.LeaderOf(topic, partition) == broker
                ? call()
                : Task.FromException<T>(new HubException(ErrorCode.NotLeaderOrFollower, $"broker {broker} does not lead {topic}/{partition}"));
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }
}
