using Hub.Client.Metadata;
using Hub.Errors;
using Hub.Topics;

namespace Hub.Client;

/// <summary>
/// Topic administration through the cluster controller. Refusals arrive as <see cref="HubException"/> with
/// Kafka's error codes (TopicAlreadyExists, InvalidPartitions, ...). Cancelling a call stops the wait, not the
/// operation, which the controller may still complete.
/// </summary>
public sealed class HubAdmin
{
    private readonly PartitionRouter _router;

    internal HubAdmin(PartitionRouter router) => _router = router;

    /// <param name="configs">Kafka topic config names and values (retention.ms, segment.bytes, ...).</param>
    public async Task<TopicMetadata> CreateTopicAsync(string name, int partitions,
        IReadOnlyDictionary<string, string>? configs = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var metadata = await _router.Controller.CreateTopic(name, partitions, configs).WaitAsync(ct).ConfigureAwait(false);
        _router.Remember(metadata);
        return metadata;
    }

    public Task<IReadOnlyList<TopicMetadata>> ListTopicsAsync(CancellationToken ct = default) =>
        _router.Controller.ListTopics().WaitAsync(ct);

    /// <summary>The topic and each partition's log state; throws UnknownTopicOrPartition when there is no such topic.</summary>
    public async Task<TopicDescription> DescribeTopicAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var metadata = await _router.Controller.GetTopic(name).WaitAsync(ct).ConfigureAwait(false)
            ?? throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{name}' does not exist");
        _router.Remember(metadata);
        var states = await Task.WhenAll(metadata.Partitions.Select(p =>
            _router.InvokeAsync(name, p.Partition, grain => grain.GetState(), ct))).ConfigureAwait(false);
        return new TopicDescription(metadata, states);
    }

    public async Task DeleteTopicAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            await _router.Controller.DeleteTopic(name).WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _router.Forget(name);
        }
    }

    /// <summary>Grows the topic to <paramref name="totalPartitions"/> partitions; topics never shrink, as in Kafka.</summary>
    public async Task<TopicMetadata> AddPartitionsAsync(string name, int totalPartitions, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var metadata = await _router.Controller.AddPartitions(name, totalPartitions).WaitAsync(ct).ConfigureAwait(false);
        _router.Remember(metadata);
        return metadata;
    }
}
