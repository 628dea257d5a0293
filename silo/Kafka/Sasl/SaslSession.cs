using Hub.Errors;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Sasl;

/// <summary>
/// Where one connection of a SASL listener is in its authentication: SaslHandshake picks a mechanism, then its
/// tokens come in SaslAuthenticate requests (handshake v1) or as bare size-prefixed frames (handshake v0, as
/// kafka-python sends them). Until it completes, only ApiVersions, SaslHandshake and SaslAuthenticate are answered.
/// </summary>
internal sealed class SaslSession(IReadOnlyList<string> enabledMechanisms, CredentialLookup credentials, OAuthBearerValidator? oauthBearer = null)
{
    private enum State
    {
        AwaitingHandshake,
        AwaitingAuthenticate,
        AwaitingRawToken,
        Authenticated,
    }

    private State _state = State.AwaitingHandshake;
    private ISaslExchange? _exchange;

    public IReadOnlyList<string> EnabledMechanisms => enabledMechanisms;

    public bool IsAuthenticated => _state == State.Authenticated;

    /// <summary>Whether the next frame is a bare SASL token rather than a Kafka request (after a v0 handshake).</summary>
    public bool ExpectsRawToken => _state == State.AwaitingRawToken;

    /// <summary>The authenticated user, once authenticated.</summary>
    public string? User => IsAuthenticated ? _exchange!.AuthenticatedUser : null;

    public bool Allows(ApiKey key) => IsAuthenticated || key is ApiKey.ApiVersions or ApiKey.SaslHandshake or ApiKey.SaslAuthenticate;

    /// <summary>Starts the mechanism's exchange; an error leaves the session where it was.</summary>
    public ErrorCode Handshake(string mechanism, short version)
    {
        if (_state != State.AwaitingHandshake) return ErrorCode.IllegalSaslState;
        if (!enabledMechanisms.Contains(mechanism, StringComparer.Ordinal) || SaslMechanisms.Start(mechanism, credentials, oauthBearer) is not { } exchange)
            return ErrorCode.UnsupportedSaslMechanism;
        _exchange = exchange;
        _state = version == 0 ? State.AwaitingRawToken : State.AwaitingAuthenticate;
        return ErrorCode.None;
    }

    /// <summary>Whether a SaslAuthenticate request is expected now (after a v1 handshake, before completion).</summary>
    public bool AwaitsAuthenticate => _state == State.AwaitingAuthenticate;

    /// <summary>The server's answer to one client token; a failed authentication throws <see cref="SaslAuthenticationException"/>.</summary>
    public async Task<byte[]> AuthenticateAsync(ReadOnlyMemory<byte> token)
    {
        if (_state is not (State.AwaitingAuthenticate or State.AwaitingRawToken) || _exchange is null)
            throw new SaslAuthenticationException("no SASL authentication is in progress");
        var answer = await _exchange.RespondAsync(token);
        if (_exchange.AuthenticatedUser is not null) _state = State.Authenticated;
        return answer;
    }
}
