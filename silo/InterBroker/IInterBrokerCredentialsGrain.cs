using Hub.Security;
using Orleans.Concurrency;
using Hub.Silo.Security;

namespace Hub.Silo.InterBroker;

/// <summary>What only silos may ask the users grain: the stored keys a SASL exchange checks a client against.</summary>
internal interface IInterBrokerCredentialsGrain : IGrainWithIntegerKey
{
    /// <summary>The user's credentials by mechanism; empty when there is no such user.</summary>
    /// <remarks>Interleaves: a gateway call's check asks it while that call holds the grain (see GatewayCallAuthorizer).</remarks>
    [AlwaysInterleave]
    Task<IReadOnlyDictionary<ScramMechanism, StoredScramCredential>> CredentialsOf(string user);
}
