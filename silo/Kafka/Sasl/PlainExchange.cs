using System.Text;
using Hub.Silo.Security;

namespace Hub.Silo.Kafka.Sasl;

/// <summary>
/// SASL/PLAIN (RFC 4616): one message "authzid NUL authcid NUL password", checked against the user's stored SCRAM
/// credential (its salt and iterations re-derive the stored key), so PLAIN and SCRAM share one set of users.
/// </summary>
internal sealed class PlainExchange(CredentialLookup credentials) : ISaslExchange
{
    /// <summary>RFC 4616's limit on each of the three fields; a longer message is not PLAIN.</summary>
    private const int MaxFieldBytes = 255;

    public string? AuthenticatedUser { get; private set; }

    public async Task<byte[]> RespondAsync(ReadOnlyMemory<byte> clientMessage)
    {
        if (AuthenticatedUser is not null) throw new SaslAuthenticationException("PLAIN authentication has already completed");
        if (clientMessage.Length > 3 * MaxFieldBytes + 2) throw new SaslAuthenticationException("invalid SASL/PLAIN message: too long");
        var fields = Encoding.UTF8.GetString(clientMessage.Span).Split('\0');
        if (fields.Length != 3) throw new SaslAuthenticationException("invalid SASL/PLAIN message: expected authzid, username and password separated by NUL");
        var (authorizationId, user, password) = (fields[0], fields[1], fields[2]);
        if (user.Length == 0 || password.Length == 0) throw new SaslAuthenticationException("invalid SASL/PLAIN message: empty username or password");
        if (authorizationId.Length > 0 && authorizationId != user)
            throw new SaslAuthenticationException("authentication failed: the authorization id must be empty or the username");

        if (!ScramFormulas.MatchesAny(await credentials(user), password))
            throw new SaslAuthenticationException("authentication failed: invalid username or password");
        AuthenticatedUser = user;
        return [];
    }
}
