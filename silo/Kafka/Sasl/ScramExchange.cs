using System.Security.Cryptography;
using System.Text;
using Hub.Security;
using Hub.Silo.Security;

namespace Hub.Silo.Kafka.Sasl;

/// <summary>
/// The server side of SCRAM-SHA-256/512 (RFC 5802, RFC 7677) as Kafka runs it: client-first, server-first (the
/// nonce, salt and iteration count), client-final with the proof, server-final with the server's signature. No
/// channel binding (Kafka has none) and no delegation tokens (the "tokenauth" extension is refused).
/// </summary>
internal sealed class ScramExchange(ScramMechanism mechanism, CredentialLookup credentials, Func<string>? serverNonce = null) : ISaslExchange
{
    /// <summary>Random bytes in the server's half of the nonce: 18 bytes is 24 base64 characters, well beyond guessing.</summary>
    private const int ServerNonceBytes = 18;

    /// <summary>Longest SCRAM message accepted; real ones are under 300 bytes.</summary>
    private const int MaxMessageBytes = 4096;

    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;
    private string? _user;
    private string? _gs2Header;
    private StoredScramCredential? _credential;

    public string? AuthenticatedUser { get; private set; }

    public async Task<byte[]> RespondAsync(ReadOnlyMemory<byte> clientMessage)
    {
        if (clientMessage.Length > MaxMessageBytes) throw Invalid("message too long");
        var message = Encoding.UTF8.GetString(clientMessage.Span);
        if (_serverFirst is null) return Encoding.UTF8.GetBytes(await ServerFirstAsync(message));
        if (AuthenticatedUser is null) return Encoding.UTF8.GetBytes(ServerFinal(message));
        throw new SaslAuthenticationException("SCRAM authentication has already completed");
    }

    private async Task<string> ServerFirstAsync(string clientFirst)
    {
        // gs2-header: "n" or "y" (no channel binding), then an optional "a=authzid", each followed by a comma.
        var firstComma = clientFirst.IndexOf(',');
        var secondComma = firstComma < 0 ? -1 : clientFirst.IndexOf(',', firstComma + 1);
        if (secondComma < 0) throw Invalid("client-first message without a GS2 header");
        var bindFlag = clientFirst[..firstComma];
        if (bindFlag.StartsWith("p=", StringComparison.Ordinal)) throw Invalid("channel binding is not supported");
        if (bindFlag is not ("n" or "y")) throw Invalid($"unknown channel binding flag '{bindFlag}'");
        var authorizationId = clientFirst[(firstComma + 1)..secondComma];
        _gs2Header = clientFirst[..(secondComma + 1)];
        _clientFirstBare = clientFirst[(secondComma + 1)..];

        var attributes = Attributes(_clientFirstBare);
        if (attributes.Count < 2 || attributes[0].Key != "n" || attributes[1].Key != "r") throw Invalid("client-first message must start with n= and r=");
        _user = DecodeName(attributes[0].Value);
        var clientNonce = attributes[1].Value;
        if (_user.Length == 0 || clientNonce.Length == 0) throw Invalid("empty user name or nonce");
        if (authorizationId.Length > 0 && (!authorizationId.StartsWith("a=", StringComparison.Ordinal) || DecodeName(authorizationId[2..]) != _user))
            throw new SaslAuthenticationException("authentication failed: the authorization id must be empty or the username");
        // Kafka's extensions follow r= as key=value; tokenauth=true asks to authenticate with a delegation token.
        if (attributes.Skip(2).Any(a => a.Key == "tokenauth" && a.Value.Equals("true", StringComparison.OrdinalIgnoreCase)))
            throw new SaslAuthenticationException("authentication failed: delegation tokens are not supported");

        var stored = await credentials(_user);
        if (!stored.TryGetValue(mechanism, out _credential))
            throw new SaslAuthenticationException($"authentication failed: invalid credentials with SASL mechanism {Name}");
        _nonce = clientNonce + (serverNonce ?? RandomServerNonce)();
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        return _serverFirst;
    }

    private string ServerFinal(string clientFinal)
    {
        var proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0) throw Invalid("client-final message without a proof");
        var withoutProof = clientFinal[..proofAt];
        var attributes = Attributes(withoutProof);
        if (attributes.Count < 2 || attributes[0].Key != "c" || attributes[1].Key != "r") throw Invalid("client-final message must start with c= and r=");
        if (attributes[0].Value != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header!))) throw Invalid("channel binding does not match the GS2 header");
        // Ends with, as Kafka checks it: librdkafka sends its own nonce again before the server's combined one.
        if (!attributes[1].Value.EndsWith(_nonce!, StringComparison.Ordinal)) throw Invalid("nonce does not match the server's");
        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(clientFinal[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            throw Invalid("the proof is not base64");
        }

        var credential = _credential!;
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientSignature = ScramFormulas.Hmac(mechanism, credential.StoredKey, authMessage);
        if (proof.Length != clientSignature.Length) throw Failed();
        var clientKey = new byte[proof.Length];
        for (var i = 0; i < proof.Length; i++) clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        if (!CryptographicOperations.FixedTimeEquals(ScramFormulas.Hash(mechanism, clientKey), credential.StoredKey)) throw Failed();

        AuthenticatedUser = _user;
        return "v=" + Convert.ToBase64String(ScramFormulas.Hmac(mechanism, credential.ServerKey, authMessage));
    }

    private static string RandomServerNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(ServerNonceBytes));

    private string Name => mechanism == ScramMechanism.ScramSha512 ? SaslMechanisms.ScramSha512 : SaslMechanisms.ScramSha256;

    private SaslAuthenticationException Failed() => new($"authentication failed: invalid credentials with SASL mechanism {Name}");

    private static SaslAuthenticationException Invalid(string problem) => new($"invalid SCRAM message: {problem}");

    /// <summary>"key=value" attributes separated by commas, in order (SCRAM's keys are one letter, Kafka's extensions longer).</summary>
    private static List<(string Key, string Value)> Attributes(string message)
    {
        var attributes = new List<(string, string)>();
        foreach (var part in message.Split(','))
        {
            var equals = part.IndexOf('=');
            if (equals < 1) throw Invalid($"malformed attribute '{part}'");
            attributes.Add((part[..equals], part[(equals + 1)..]));
        }
        return attributes;
    }

    /// <summary>A saslname: "=2C" stands for a comma and "=3D" for "="; any other "=" is malformed (RFC 5802 5.1).</summary>
    private static string DecodeName(string name)
    {
        var decoded = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != '=')
            {
                decoded.Append(name[i]);
                continue;
            }
            var escape = name.AsSpan(i, Math.Min(3, name.Length - i));
            decoded.Append(escape.SequenceEqual("=2C") ? ',' : escape.SequenceEqual("=3D") ? '=' : throw Invalid("malformed user name"));
            i += 2;
        }
        return decoded.ToString();
    }
}
