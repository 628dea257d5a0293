using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;

namespace Hub.Tests.Client;

/// <summary>A replica reference on one broker: serves its partition's log only while the controller says it leads.</summary>
internal sealed class InMemoryPartitionGrain(InMemoryGrainFactory cluster, string topic, int partition, int broker) : IPartitionGrain
{
    /// <summary>
    /// Stores at once, in call order, as a grain takes calls as they arrive, but answers on a later turn, so a
    /// producer has several appends in flight as it would over the network.
    /// </summary>
    public Task<AppendResult> Append(PooledBatches batches, short acks = RequiredAcks.All) => Lead(() =>
    {
        Task<AppendResult> answer;
        try
        {
            answer = Task.FromResult(Log.Append(batches.Span));
        }
        catch (Exception e)
        {
            answer = Task.FromException<AppendResult>(e);
        }
        return AnswerLaterAsync(answer);
    });

    public Task<FetchResult> Fetch(FetchRequest request) => Lead(() => Log.Fetch(request));

    public Task<OffsetAndTimestamp> ListOffset(long timestamp, int currentLeaderEpoch = -1, IsolationLevel isolationLevel = IsolationLevel.ReadCommitted) =>
        Lead(() => Task.FromResult(new OffsetAndTimestamp(Log.ListOffset(timestamp), -1)));

    public Task<PartitionState> GetState() => Lead(() => Task.FromResult(Log.State()));

    public Task<Hub.Transactions.ActiveProducer[]> DescribeProducers() => throw new NotSupportedException("the SDK's routing tests keep no producer state");

    public Task<long> DeleteRecords(long offset) => throw new NotSupportedException("the SDK's routing tests delete no records");

    private static async Task<AppendResult> AnswerLaterAsync(Task<AppendResult> answer)
    {
        await Task.Yield();
        return await answer;
    }

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
