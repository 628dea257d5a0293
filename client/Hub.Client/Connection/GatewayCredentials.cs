using Hub.Security;

namespace Hub.Client;

/// <summary>
/// Sends <see cref="HubClientOptions.Username"/> and <see cref="HubClientOptions.Password"/> with every grain call
/// (<see cref="GatewayCredential"/>): silos with authorization on check the calls of that user against the ACLs,
/// as they check a Kafka client's. Over a gateway without TLS the password crosses the network as SASL/PLAIN's does.
/// </summary>
public static class GatewayCredentials
{
    /// <summary>For an Orleans client built by hand (what <see cref="HubClient.FromGrainFactory"/> then wraps).</summary>
    public static IClientBuilder UseHubCredentials(this IClientBuilder client, string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(password);
        return client.AddOutgoingGrainCallFilter(context =>
        {
            // Set for this call only: the filter's changes to RequestContext end with it.
            RequestContext.Set(GatewayCredential.UserKey, username);
            RequestContext.Set(GatewayCredential.PasswordKey, password);
            return context.Invoke();
        });
    }

    internal static IClientBuilder UseHubCredentials(this IClientBuilder client, HubClientOptions options) =>
        options.Username is null && options.Password is null ? client : client.UseHubCredentials(options.Username!, options.Password!);
}
