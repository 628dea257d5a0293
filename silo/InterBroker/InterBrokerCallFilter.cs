using System.Collections.Concurrent;
using Hub.Errors;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.InterBroker;

/// <summary>
/// Refuses inter-broker calls (<see cref="InterBrokerCallPolicy.IsInterBroker"/>) that did not come from a silo of
/// the cluster, e.g. an Orleans client on the gateway asking a replica to take a forged assignment or delete its log.
/// <para>
/// The caller is told apart by the call's <see cref="IGrainCallContext.SourceId"/>, the message's sending grain.
/// Orleans' client runtime sets it to its own client id on every request it sends, and the gateway passes it on
/// as it is; RequestContext values travel in a separate header and cannot change it, so nothing an Orleans client
/// does through its API makes its calls look like a silo's. A client that rewrote Orleans' message encoding could
/// still name a grain as sender: against such a peer only authenticating who may connect to the gateway and
/// silo ports helps (TLS with client certificates), and a peer admitted there is trusted not to do it.
/// </para>
/// </summary>
internal sealed partial class InterBrokerCallFilter(ILogger<InterBrokerCallFilter> logger) : IIncomingGrainCallFilter
{
    /// <summary>
    /// Clients already warned about, so a client that keeps trying is logged once. Every Orleans client instance
    /// has an id of its own; past this many the set starts over, keeping its memory to a few hundred KiB.
    /// </summary>
    private const int MaxWarnedClients = 10_000;

    private readonly ConcurrentDictionary<GrainId, byte> _warned = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!InterBrokerCallPolicy.Refuses(context.InterfaceMethod, context.SourceId)) return context.Invoke();
        var method = $"{context.InterfaceMethod.DeclaringType!.Name}.{context.MethodName}";
        var caller = context.SourceId?.ToString() ?? "an unnamed sender";
        if (FirstRefusalOf(context.SourceId)) LogRefused(method, context.TargetId, caller);
        return Task.FromException(new HubException(ErrorCode.ClusterAuthorizationFailed,
            $"{method} on {context.TargetId} refused: it is an inter-broker call, which only the cluster's silos may make, and it came from {caller}"));
    }

    private bool FirstRefusalOf(GrainId? caller)
    {
        var key = caller ?? default;
        if (_warned.Count >= MaxWarnedClients) _warned.Clear();
        return _warned.TryAdd(key, 0);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Refused {Method} on {Grain} from {Caller}: inter-broker calls are for the cluster's silos only (logged once per caller)")]
    private partial void LogRefused(string method, GrainId grain, string caller);
}
