using Hub.Errors;
using Hub.Quotas;
using Hub.Silo.Grains;
using Hub.Topics;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Hub.Silo.Controller;

/// <summary>
/// The controller's durable metadata, kept by the rule "a decision is durable before anyone acts on it".
/// <see cref="Topics"/> is what the store holds, as of the last read or successful write: every answer comes from
/// it. A decision is made on a copy and becomes <see cref="Topics"/> only once one of the <c>Commit</c> methods has
/// stored it; only then may the caller answer or notify anyone.
/// <para>
/// Writes are conditional on the ETag of what this instance read or last wrote, so of two controller activations
/// at once, or after a write whose outcome is unknown, only one decision stands. A read or write that fails or loses
/// that race fences this instance for good: every later use throws <see cref="ErrorCode.RequestTimedOut"/>
/// (retriable) and calls <c>onFenced</c> (the grain ends its activation), so the next activation reads what the
/// store really holds and decides from there; leader epochs and versions therefore never repeat or go back.
/// </para>
/// <para>Not thread-safe for writers: the controller grain commits within its (non-reentrant) turns; readers may interleave.</para>
/// </summary>
internal sealed partial class ClusterMetadataStore(IGrainStorage storage, GrainId grain, TimeProvider time, Action onFenced, ILogger logger)
{
    /// <summary>The state's name in the store (what <c>[PersistentState("cluster")]</c> used), so stored metadata stays readable.</summary>
    public const string StateName = "cluster";

    /// <summary>Storage attempts per write: the Redis client occasionally fails a round trip that a retry completes. The ETag makes a retry safe.</summary>
    private const int WriteAttempts = 3;

    /// <summary>
    /// A write is retried only while it has been failing for less than this: a quick failure (a dropped connection)
    /// is worth another try, but a store that is down or hung fails each attempt only at the client's timeout
    /// (5 s for Redis), and the caller should hear so within one timeout, not several.
    /// </summary>
    private static readonly TimeSpan WriteRetryWindow = TimeSpan.FromSeconds(1);

    /// <summary>Pause before the n-th retry of a write is n times this.</summary>
    private static readonly TimeSpan WriteRetryBackoff = TimeSpan.FromMilliseconds(100);

    /// <summary>Replaced whole on each successful write, never changed in place: interleaved readers see one stored state.</summary>
    private GrainState<ClusterMetadataState> _stored = new(new ClusterMetadataState());

    private HubException? _fenced;

    /// <summary>Every topic by name, as stored.</summary>
    public IReadOnlyDictionary<string, TopicMetadata> Topics
    {
        get
        {
            ThrowIfFenced();
            // Never null: grain storages leave a fresh state when none is stored.
            return _stored.State!.Topics;
        }
    }

    /// <summary>The client quotas, as stored.</summary>
    public IReadOnlyList<ClientQuota> Quotas
    {
        get
        {
            ThrowIfFenced();
            return _stored.State!.Quotas;
        }
    }

    /// <summary>Whether <see cref="Topics"/> can be read: the metadata was read and no write failed since.</summary>
    public bool IsReadable => _fenced is null;

    /// <summary>Reads the stored metadata; a failed read fences this instance (the failure surfaces at its first use).</summary>
    public async Task LoadAsync()
    {
        var read = new GrainState<ClusterMetadataState>(new ClusterMetadataState());
        try
        {
            await storage.ReadStateAsync(StateName, grain, read);
            _stored = read;
        }
        catch (Exception e)
        {
            Fence($"the cluster metadata could not be read: {e.Message}");
        }
    }

    /// <summary>Stores <paramref name="topic"/>, new or changed.</summary>
    public Task CommitAsync(TopicMetadata topic) => CommitAsync([topic]);

    /// <summary>Stores the topics <paramref name="changed"/>, new or changed, in one write.</summary>
    public Task CommitAsync(IReadOnlyCollection<TopicMetadata> changed)
    {
        var topics = Copy();
        foreach (var topic in changed) topics[topic.Name] = topic;
        return CommitAsync(topics);
    }

    /// <summary>Stores the metadata without topic <paramref name="name"/>.</summary>
    public Task CommitRemovalAsync(string name)
    {
        var topics = Copy();
        topics.Remove(name);
        return CommitAsync(topics);
    }

    /// <summary>Stores partition decisions (one write; none when there are none).</summary>
    public Task CommitAsync(IReadOnlyCollection<PartitionChange> changes)
    {
        if (changes.Count == 0) return Task.CompletedTask;
        var topics = Copy();
        foreach (var byTopic in changes.GroupBy(c => c.Topic))
        {
            var topic = topics[byTopic.Key];
            var partitions = topic.Partitions.ToArray();
            foreach (var change in byTopic) partitions[change.Assignment.Partition] = change.Assignment;
            topics[topic.Name] = topic with { Partitions = partitions };
        }
        return CommitAsync(topics);
    }

    /// <summary>Stores the client quotas <paramref name="quotas"/> in place of the present ones.</summary>
    public Task CommitQuotasAsync(IReadOnlyList<ClientQuota> quotas) =>
        CommitAsync(new ClusterMetadataState { Topics = new(Topics, StringComparer.Ordinal), Quotas = [.. quotas] });

    private Dictionary<string, TopicMetadata> Copy() => new(Topics, StringComparer.Ordinal);

    private Task CommitAsync(Dictionary<string, TopicMetadata> topics) =>
        CommitAsync(new ClusterMetadataState { Topics = topics, Quotas = [.. Quotas] });

    /// <summary>
    /// Writes <paramref name="state"/> conditionally on the stored ETag and makes it what <see cref="Topics"/> and
    /// <see cref="Quotas"/> answer once stored. A quick storage failure is retried (the condition makes a retry of a
    /// write that did land fail as a conflict); a conflict, or any other failure, fences this instance.
    /// </summary>
    private async Task CommitAsync(ClusterMetadataState state)
    {
        ThrowIfFenced();
        var candidate = new GrainState<ClusterMetadataState>(state)
        {
            ETag = _stored.ETag,
            RecordExists = _stored.RecordExists,
        };
        var started = time.GetTimestamp();
        for (var attempt = 1; _fenced is null; attempt++)
        {
            try
            {
                await storage.WriteStateAsync(StateName, grain, candidate);
                _stored = candidate;
                return;
            }
            catch (InconsistentStateException e)
            {
                Fence($"the cluster metadata was changed by another controller activation, or by an earlier attempt of this write whose answer was lost: {e.Message}");
            }
            catch (Exception e) when (attempt < WriteAttempts && time.GetElapsedTime(started) < WriteRetryWindow)
            {
                LogWriteRetry(logger, attempt, WriteAttempts, e.Message);
                await Task.Delay(WriteRetryBackoff * attempt, time);
            }
            catch (Exception e)
            {
                Fence($"the cluster metadata could not be stored: {e.Message}");
            }
        }
        ThrowIfFenced();
    }

    private void ThrowIfFenced()
    {
        if (_fenced is null) return;
        onFenced();
        throw _fenced;
    }

    /// <summary>Fences this instance: from now on every use throws a retriable error and ends the activation.</summary>
    private void Fence(string reason)
    {
        LogFenced(logger, reason);
        _fenced ??= new HubException(ErrorCode.RequestTimedOut, $"the controller is unavailable ({reason}); retry the request");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing cluster metadata failed (attempt {Attempt} of {Attempts}), retrying: {Error}")]
    private static partial void LogWriteRetry(ILogger logger, int attempt, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The controller steps down until its metadata is read again: {Reason}")]
    private static partial void LogFenced(ILogger logger, string reason);
}
