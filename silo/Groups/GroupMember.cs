using Hub.Errors;
using Hub.Groups;

namespace Hub.Silo.Groups;

/// <summary>
/// A member of a consumer group, in memory only (Kafka's MemberMetadata). A member with a JoinGroup or
/// SyncGroup call waiting is kept alive by that call, not by heartbeats.
/// </summary>
internal sealed class GroupMember(string memberId, JoinGroupRequest request, long joinOrder, long nowTimestamp)
{
    public string MemberId { get; set; } = memberId;

    public string? GroupInstanceId { get; } = request.GroupInstanceId;

    public string ClientId { get; private set; } = request.ClientId;

    public string ClientHost { get; private set; } = request.ClientHost;

    public int SessionTimeoutMs { get; private set; } = request.SessionTimeoutMs;

    public int RebalanceTimeoutMs { get; private set; } = RebalanceTimeoutOf(request);

    public string ProtocolType { get; private set; } = request.ProtocolType;

    public GroupProtocol[] Protocols { get; private set; } = request.Protocols;

    /// <summary>Order of first joining; the earliest member still present leads when the leader is gone.</summary>
    public long JoinOrder { get; } = joinOrder;

    /// <summary>Assignment bytes for the current generation (empty until the leader or the server assigns).</summary>
    public byte[] Assignment { get; set; } = [];

    /// <summary>Monotonic timestamp (TimeProvider ticks) of the last heartbeat, join or sync.</summary>
    public long LastSeen { get; set; } = nowTimestamp;

    /// <summary>Has sent JoinGroup in the current PreparingRebalance round.</summary>
    public bool Joined { get; set; }

    /// <summary>Has sent SyncGroup in the current CompletingRebalance round.</summary>
    public bool Synced { get; set; }

    public TaskCompletionSource<JoinGroupResult>? JoinWaiter { get; private set; }

    public TaskCompletionSource<SyncGroupResult>? SyncWaiter { get; private set; }

    public bool IsWaiting => JoinWaiter is not null || SyncWaiter is not null;

    /// <summary>Same protocols with the same metadata, in the same order (Kafka's MemberMetadata.matches).</summary>
    public bool Matches(GroupProtocol[] protocols) =>
        protocols.Length == Protocols.Length
        && protocols.Zip(Protocols).All(p => p.First.Name == p.Second.Name && p.First.Metadata.AsSpan().SequenceEqual(p.Second.Metadata));

    public byte[] MetadataFor(string? protocol) =>
        Protocols.FirstOrDefault(p => p.Name == protocol)?.Metadata ?? Protocols.FirstOrDefault()?.Metadata ?? [];

    public void Update(JoinGroupRequest request)
    {
        ClientId = request.ClientId;
        ClientHost = request.ClientHost;
        SessionTimeoutMs = request.SessionTimeoutMs;
        RebalanceTimeoutMs = RebalanceTimeoutOf(request);
        ProtocolType = request.ProtocolType;
        Protocols = request.Protocols;
    }

    public Task<JoinGroupResult> WaitForJoin()
    {
        JoinWaiter?.TrySetException(new HubException(ErrorCode.RebalanceInProgress, "a newer JoinGroup of the same member replaced this one"));
        JoinWaiter = new TaskCompletionSource<JoinGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        return JoinWaiter.Task;
    }

    public Task<SyncGroupResult> WaitForSync()
    {
        SyncWaiter?.TrySetException(new HubException(ErrorCode.RebalanceInProgress, "a newer SyncGroup of the same member replaced this one"));
        SyncWaiter = new TaskCompletionSource<SyncGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        return SyncWaiter.Task;
    }

    public void CompleteJoin(JoinGroupResult result)
    {
        JoinWaiter?.TrySetResult(result);
        JoinWaiter = null;
    }

    public void CompleteSync(SyncGroupResult result)
    {
        SyncWaiter?.TrySetResult(result);
        SyncWaiter = null;
    }

    /// <summary>Stops waiting for a call that gave up (its result, if any, is fetched by calling again).</summary>
    public void ForgetJoinWaiter(Task<JoinGroupResult> waiter)
    {
        if (JoinWaiter?.Task == waiter) JoinWaiter = null;
    }

    public void ForgetSyncWaiter(Task<SyncGroupResult> waiter)
    {
        if (SyncWaiter?.Task == waiter) SyncWaiter = null;
    }

    /// <summary>Ends any waiting call with <paramref name="error"/> (the member was removed, fenced, or a rebalance began).</summary>
    public void Fail(HubException error)
    {
        JoinWaiter?.TrySetException(error);
        JoinWaiter = null;
        FailSync(error);
    }

    public void FailSync(HubException error)
    {
        SyncWaiter?.TrySetException(error);
        SyncWaiter = null;
    }

    private static int RebalanceTimeoutOf(JoinGroupRequest request) =>
        request.RebalanceTimeoutMs > 0 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs;
}
