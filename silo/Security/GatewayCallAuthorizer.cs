using Hub.Errors;
using Hub.Groups;
using Hub.Security;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Authorization;
using Hub.Topics;
using Hub.Transactions;

namespace Hub.Silo.Security;

/// <summary>
/// Authenticates and authorizes every call a client makes through the Orleans gateway (the SDK, the CLI, the
/// stream provider), as the Kafka front door does a Kafka request: the principal from the call's credential
/// (<see cref="GatewayAuthenticator"/>), the ACLs and super users of <see cref="KafkaAuthorizer"/>, the rights
/// of <see cref="GatewayCallPolicy"/>, and Kafka's error codes. Calls from silos pass: they act on requests a
/// front door or a grain has already checked. The credential is taken out of the call's RequestContext before
/// the grain runs, so no call the grain makes onwards carries it.
/// </summary>
internal sealed class GatewayCallAuthorizer(KafkaAuthorizer authorizer, GatewayAuthenticator authenticator) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var method = context.InterfaceMethod;
        if (InterBrokerCallPolicy.IsFromSilo(context.SourceId) || GatewayCallPolicy.ServesOrleansClients(method.DeclaringType!))
        {
            await context.Invoke();
            return;
        }
        var user = RequestContext.Get(GatewayCredential.UserKey) as string;
        var password = RequestContext.Get(GatewayCredential.PasswordKey) as string;
        var transactionalId = RequestContext.Get(GatewayCredential.TransactionalIdKey) as string;
        RequestContext.Remove(GatewayCredential.UserKey);
        RequestContext.Remove(GatewayCredential.PasswordKey);
        RequestContext.Remove(GatewayCredential.TransactionalIdKey);
        // A wrong password is refused even with authorization off: the client was told to be someone it is not.
        var principal = await authenticator.PrincipalAsync(user, password);
        if (!authorizer.Enabled || authorizer.IsSuperUser(principal))
        {
            await context.Invoke();
            await RefreshAfterAclChangeAsync(method);
            return;
        }
        await authorizer.ReadyAsync();
        var decision = GatewayCallPolicy.For(method.DeclaringType!, method.Name, context.TargetId.Key.ToString()!, context.Request.GetArgument, transactionalId);
        foreach (var check in decision.Checks)
        {
            if (!await AnyAllowedAsync(principal, check)) throw Refused(principal, check[0], $"{method.DeclaringType!.Name}.{method.Name}");
        }
        await context.Invoke();
        await RefreshAfterAclChangeAsync(method);
        context.Result = decision.Trim switch
        {
            GatewayCallPolicy.Trim.Topics => ((IEnumerable<TopicMetadata>)context.Result!)
                .Where(t => Allows(principal, AclOperation.Describe, AclResourceType.Topic, t.Name)).ToArray(),
            GatewayCallPolicy.Trim.Groups => ((IEnumerable<GroupListing>)context.Result!)
                .Where(g => Allows(principal, AclOperation.Describe, AclResourceType.Group, g.GroupId)).ToArray(),
            GatewayCallPolicy.Trim.CommittedOffsets => ((IEnumerable<CommittedOffset>)context.Result!)
                .Where(o => Allows(principal, AclOperation.Describe, AclResourceType.Topic, o.Topic)).ToArray(),
            GatewayCallPolicy.Trim.Transactions => context.Result switch
            {
                TransactionDescription one => DescribablePartitions(principal, one),
                var all => ((IEnumerable<TransactionDescription>)all!)
                    .Where(t => Allows(principal, AclOperation.Describe, AclResourceType.TransactionalId, t.TransactionalId))
                    .Select(t => DescribablePartitions(principal, t)).ToArray(),
            },
            _ => context.Result,
        };
    }

    /// <summary>
    /// After an ACL change through the SDK or the CLI, the silo holding the ACL grain (the only silo of a local
    /// cluster) checks with the new ACLs at once, as after one through its Kafka listener; others within a second.
    /// </summary>
    private async Task RefreshAfterAclChangeAsync(System.Reflection.MethodInfo method)
    {
        if (authorizer.Enabled && method.DeclaringType == typeof(IAclGrain) && method.Name != nameof(IAclGrain.Describe)) await authorizer.RefreshAsync();
    }

    private async ValueTask<bool> AnyAllowedAsync(string principal, GatewayCallPolicy.Requirement[] alternatives)
    {
        foreach (var requirement in alternatives)
        {
            var allowed = requirement.Name is { } name
                ? Allows(principal, requirement.Operation, requirement.Type, name)
                : await authorizer.AllowsSomeAsync(principal, null, requirement.Operation, requirement.Type);
            if (allowed) return true;
        }
        return false;
    }

    private TransactionDescription DescribablePartitions(string principal, TransactionDescription transaction) =>
        transaction with { Partitions = [.. transaction.Partitions.Where(p => Allows(principal, AclOperation.Describe, AclResourceType.Topic, p.Topic))] };

    /// <summary>An SDK call comes without its client's address: host-specific ACLs allow it nothing (see <see cref="AclRules.Allows"/>).</summary>
    private bool Allows(string principal, AclOperation operation, AclResourceType type, string name) =>
        authorizer.Allows(principal, host: null, operation, type, name);

    private static HubException Refused(string principal, GatewayCallPolicy.Requirement wanted, string call)
    {
        var operation = AclNames.Kafka(wanted.Operation);
        return wanted.Type switch
        {
            AclResourceType.Topic => new HubException(ErrorCode.TopicAuthorizationFailed,
                $"{principal} may not {operation} {(wanted.Name is null ? "any topic" : $"topic '{wanted.Name}'")} ({call})"),
            AclResourceType.Group => new HubException(ErrorCode.GroupAuthorizationFailed,
                $"{principal} may not {operation} group '{wanted.Name}' ({call})"),
            AclResourceType.TransactionalId => new HubException(ErrorCode.TransactionalIdAuthorizationFailed,
                $"{principal} may not {operation} transactional id '{wanted.Name}' ({call})"),
            _ => new HubException(ErrorCode.ClusterAuthorizationFailed, $"{principal} may not {operation} the cluster ({call})"),
        };
    }
}
