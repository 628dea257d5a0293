namespace Hub.Silo.Kafka.Sasl;

/// <summary>
/// The server side of one SASL authentication: takes each client message and answers the server's; a client that
/// fails to authenticate gets a <see cref="SaslAuthenticationException"/> saying why (without telling a wrong
/// password from an unknown user).
/// </summary>
internal interface ISaslExchange
{
    /// <summary>The authenticated user name once the exchange has completed; null before.</summary>
    string? AuthenticatedUser { get; }

    Task<byte[]> RespondAsync(ReadOnlyMemory<byte> clientMessage);
}

/// <summary>A client failed SASL authentication; the message is what the client is told.</summary>
internal sealed class SaslAuthenticationException(string message) : Exception(message);
