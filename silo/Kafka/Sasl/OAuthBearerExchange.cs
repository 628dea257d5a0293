using System.Text;

namespace Hub.Silo.Kafka.Sasl;

/// <summary>
/// SASL/OAUTHBEARER (RFC 7628, Kafka's KIP-255): one client message, a GS2 header and key-value pairs separated by
/// 0x01, among them "auth=Bearer TOKEN"; other pairs are SASL extensions (KIP-342), which Hub ignores. A valid
/// token authenticates its principal claim's user; an invalid one fails at once with the reason.
/// </summary>
internal sealed class OAuthBearerExchange(OAuthBearerValidator validator) : ISaslExchange
{
    /// <summary>Far above a real token (a few KiB), far below what a connection may send: a longer message is not a token.</summary>
    private const int MaxMessageBytes = 64 * 1024;

    private const char Separator = '\x01';

    public string? AuthenticatedUser { get; private set; }

    public async Task<byte[]> RespondAsync(ReadOnlyMemory<byte> clientMessage)
    {
        if (AuthenticatedUser is not null) throw new SaslAuthenticationException("OAUTHBEARER authentication has already completed");
        if (clientMessage.Length > MaxMessageBytes) throw new SaslAuthenticationException("invalid SASL/OAUTHBEARER message: too long");
        var message = Encoding.UTF8.GetString(clientMessage.Span);
        var parts = message.Split(Separator);
        // "n,," or "n,a=authzid," then the pairs, then an empty part for the closing 0x01 0x01.
        if (parts.Length < 3 || !parts[0].StartsWith("n,", StringComparison.Ordinal) || parts[^1].Length != 0 || parts[^2].Length != 0)
            throw new SaslAuthenticationException("invalid SASL/OAUTHBEARER message: expected a GS2 header and key=value pairs ended by two 0x01");
        var auth = parts[1..^2].FirstOrDefault(p => p.StartsWith("auth=", StringComparison.Ordinal))
            ?? throw new SaslAuthenticationException("invalid SASL/OAUTHBEARER message: no auth=Bearer token");
        var value = auth["auth=".Length..];
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw new SaslAuthenticationException("invalid SASL/OAUTHBEARER message: the auth value is not 'Bearer TOKEN'");
        var user = await validator.UserOfAsync(value["Bearer ".Length..].Trim());
        var authorizationId = parts[0]["n,".Length..].TrimEnd(',');
        if (authorizationId.Length > 0 && authorizationId != "a=" + user)
            throw new SaslAuthenticationException("authentication failed: the authorization id must be empty or the token's principal");
        AuthenticatedUser = user;
        return [];
    }
}
