using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Hub.Errors;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Listeners;

namespace Hub.Silo.Security;

/// <summary>
/// Names the principal of an SDK call from the user name and password it carries (<see cref="Hub.Security.GatewayCredential"/>):
/// <c>User:NAME</c> when the password re-derives the user's stored SCRAM key, as SASL/PLAIN is checked;
/// User:ANONYMOUS for a call with none, as on a Kafka listener without SASL. A credential that passed is
/// remembered for <see cref="Remembered"/>, so a client's calls cost PBKDF2 once, not each time.
/// </summary>
internal sealed class GatewayAuthenticator(IGrainFactory grains, TimeProvider time)
{
    /// <summary>
    /// How long a checked password is taken without a new check: a deleted user or a changed password stops working
    /// within it on every silo, while a busy client pays one PBKDF2 (a few milliseconds) a minute per silo.
    /// </summary>
    public static readonly TimeSpan Remembered = TimeSpan.FromMinutes(1);

    /// <summary>Bounds the memory of credentials passed (a hash and a time each); past it the set starts over.</summary>
    private const int MaxRemembered = 10_000;

    /// <summary>What was checked, keyed by a hash of user and password, so no password stays in memory.</summary>
    private readonly ConcurrentDictionary<string, long> _passed = new(StringComparer.Ordinal);

    /// <summary>The principal, or SASL_AUTHENTICATION_FAILED for an unknown user or a wrong password (the same answer for both).</summary>
    public async ValueTask<string> PrincipalAsync(string? user, string? password)
    {
        if (user is null && password is null) return KafkaPrincipal.Anonymous;
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
            throw new HubException(ErrorCode.SaslAuthenticationFailed, "authentication failed: a user name needs a password, and a password a user name");
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(user + "\0" + password)));
        var now = time.GetTimestamp();
        if (_passed.TryGetValue(key, out var checkedAt) && time.GetElapsedTime(checkedAt, now) < Remembered) return KafkaPrincipal.User(user);

        if (!ScramFormulas.MatchesAny(await grains.GetGrain<IInterBrokerCredentialsGrain>(0).CredentialsOf(user), password))
        {
            _passed.TryRemove(key, out _);
            throw new HubException(ErrorCode.SaslAuthenticationFailed, "authentication failed: invalid username or password");
        }
        if (_passed.Count >= MaxRemembered) _passed.Clear();
        _passed[key] = now;
        return KafkaPrincipal.User(user);
    }
}
