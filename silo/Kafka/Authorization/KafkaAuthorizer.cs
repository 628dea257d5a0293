using Hub.Errors;
using System.Net;
using Hub.Security;
using Hub.Silo.Configuration;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Transport;
using Hub.Silo.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Kafka.Authorization;

/// <summary>
/// Decides whether a Kafka request's principal may do an operation on a resource, against this silo's copy of the
/// cluster's ACLs (<see cref="AclRules"/>). The copy is refreshed every <see cref="RefreshInterval"/>, and at once
/// after a change made through this silo; until the first copy arrives, checks wait for it (never allow on no data).
/// With authorization off everything is allowed.
/// </summary>
internal sealed partial class KafkaAuthorizer(IOptions<HubSiloOptions> options, IGrainFactory grains, TimeProvider time, ILogger<KafkaAuthorizer> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How stale a silo's ACLs may be after a change made through another silo: Kafka's propagation is asynchronous too.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly HashSet<string> _superUsers = options.Value.Authorization.SuperUsers
        .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile IReadOnlyList<AclBinding> _acls = [];
    private long _version = -1;
    private Task? _refreshLoop;

    public bool Enabled => options.Value.Authorization.Enabled;

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (Enabled) lifecycle.Subscribe(nameof(KafkaAuthorizer), ServiceLifecycleStage.Active, Start, StopAsync);
    }

    private Task Start(CancellationToken cancellationToken)
    {
        _refreshLoop = Task.Run(RefreshLoopAsync);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_refreshLoop is { } loop) await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Whether the session's principal, from its host, may do <paramref name="operation"/> on the resource.</summary>
    public async ValueTask<bool> AllowsAsync(KafkaSession session, AclOperation operation, AclResourceType type, string name)
    {
        await ReadyAsync();
        return Allows(session, operation, type, name);
    }

    /// <summary>Waits for this silo's first copy of the ACLs (at once after it), so <see cref="Allows"/> can decide.</summary>
    public ValueTask ReadyAsync() =>
        !Enabled || _loaded.Task.IsCompleted ? ValueTask.CompletedTask : new ValueTask(_loaded.Task.WaitAsync(_stopping.Token));

    /// <summary>As <see cref="AllowsAsync"/>, for a caller that can't await (a loop over a request's bytes), after <see cref="ReadyAsync"/>.</summary>
    public bool Allows(KafkaSession session, AclOperation operation, AclResourceType type, string name) =>
        Allows(session.Principal, HostOf(session.Remote), operation, type, name);

    /// <summary>As <see cref="Allows(KafkaSession, AclOperation, AclResourceType, string)"/>, for a principal from a host (null: unknown, see <see cref="AclRules.Allows"/>).</summary>
    public bool Allows(string principal, string? host, AclOperation operation, AclResourceType type, string name)
    {
        if (!Enabled || _superUsers.Contains(principal)) return true;
        if (!_loaded.Task.IsCompleted) throw new InvalidOperationException("the ACLs are not loaded yet: await ReadyAsync first");
        return AclRules.Allows(_acls, principal, host, operation, type, name);
    }

    public bool IsSuperUser(string principal) => _superUsers.Contains(principal);

    public ValueTask<bool> AllowsTopicAsync(KafkaSession session, AclOperation operation, string topic) =>
        AllowsAsync(session, operation, AclResourceType.Topic, topic);

    public ValueTask<bool> AllowsGroupAsync(KafkaSession session, AclOperation operation, string group) =>
        AllowsAsync(session, operation, AclResourceType.Group, group);

    /// <summary>
    /// Whether the session may do <paramref name="operation"/> on at least one resource of the type (Kafka's
    /// authorizeByResourceType): how an idempotent producer without IDEMPOTENT_WRITE on the cluster qualifies by
    /// WRITE on some topic.
    /// </summary>
    public ValueTask<bool> AllowsTransactionalIdAsync(KafkaSession session, AclOperation operation, string transactionalId) =>
        AllowsAsync(session, operation, AclResourceType.TransactionalId, transactionalId);

    public ValueTask<bool> AllowsSomeAsync(KafkaSession session, AclOperation operation, AclResourceType type) =>
        AllowsSomeAsync(session.Principal, HostOf(session.Remote), operation, type);

    public async ValueTask<bool> AllowsSomeAsync(string principal, string? host, AclOperation operation, AclResourceType type)
    {
        if (!Enabled || _superUsers.Contains(principal)) return true;
        await ReadyAsync();
        return AclRules.AllowsSome(_acls, principal, host, operation, type);
    }

    /// <summary>Throws TOPIC_AUTHORIZATION_FAILED unless the session may do <paramref name="operation"/> on the topic.</summary>
    public async Task RequireTopicAsync(KafkaSession session, AclOperation operation, string topic)
    {
        if (!await AllowsTopicAsync(session, operation, topic))
            throw new HubException(ErrorCode.TopicAuthorizationFailed, $"{session.Principal} may not {AclNames.Kafka(operation)} topic '{topic}'");
    }

    /// <summary>Throws GROUP_AUTHORIZATION_FAILED unless the session may do <paramref name="operation"/> on the group.</summary>
    public async Task RequireGroupAsync(KafkaSession session, AclOperation operation, string group)
    {
        if (!await AllowsGroupAsync(session, operation, group))
            throw new HubException(ErrorCode.GroupAuthorizationFailed, $"{session.Principal} may not {AclNames.Kafka(operation)} group '{group}'");
    }

    /// <summary>Throws CLUSTER_AUTHORIZATION_FAILED unless the session may do <paramref name="operation"/> on the cluster.</summary>
    public async Task RequireClusterAsync(KafkaSession session, AclOperation operation)
    {
        if (!await AllowsOnClusterAsync(session, operation))
            throw new HubException(ErrorCode.ClusterAuthorizationFailed, $"{session.Principal} may not {AclNames.Kafka(operation)} the cluster");
    }

    /// <summary>Whether the session may do <paramref name="operation"/> on the cluster resource.</summary>
    public ValueTask<bool> AllowsOnClusterAsync(KafkaSession session, AclOperation operation) =>
        AllowsAsync(session, operation, AclResourceType.Cluster, AclRules.ClusterName);

    /// <summary>Kafka's value of an authorized-operations field the client did not ask for.</summary>
    public const int OperationsNotRequested = int.MinValue;

    /// <summary>The operations Kafka reports in a cluster's authorized-operations bit set (DescribeCluster, Metadata v8-v10).</summary>
    public static readonly AclOperation[] ClusterOperations =
    [
        AclOperation.Create, AclOperation.ClusterAction, AclOperation.DescribeConfigs, AclOperation.AlterConfigs,
        AclOperation.IdempotentWrite, AclOperation.Alter, AclOperation.Describe,
    ];

    /// <summary>
    /// Kafka's authorized-operations bit set (a bit per AclOperation code) of those of <paramref name="operations"/> the
    /// session may do on the resource, as Metadata and DescribeCluster report it; after <see cref="ReadyAsync"/>.
    /// </summary>
    public int AuthorizedOperations(KafkaSession session, IEnumerable<AclOperation> operations, AclResourceType type, string name) =>
        operations.Where(operation => Allows(session, operation, type, name)).Aggregate(0, (bits, operation) => bits | (1 << (int)operation));

    /// <summary>Fetches the ACLs now (after a change through this silo), so its own next request sees the change.</summary>
    public async Task RefreshAsync()
    {
        await _refreshing.WaitAsync();
        try
        {
            var (version, acls) = await grains.GetGrain<IInterBrokerAclGrain>(0).Snapshot(Interlocked.Read(ref _version));
            if (acls is not null)
            {
                _acls = acls;
                Interlocked.Exchange(ref _version, version);
            }
            _loaded.TrySetResult();
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task RefreshLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync();
                await Task.Delay(RefreshInterval, time, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The copy stays as it was (or checks keep waiting for the first one): never allow on no data.
                LogRefreshFailed(e);
                await Task.Delay(RefreshInterval, time, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static string HostOf(EndPoint? remote) => remote is IPEndPoint ip
        ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString()
        : "";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing this silo's copy of the ACLs failed; keeping the copy it has")]
    private partial void LogRefreshFailed(Exception exception);
}
