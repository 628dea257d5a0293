using System.Security.Cryptography;
using System.Text;
using Hub.Errors;
using Hub.Security;

namespace Hub.Client;

/// <summary>
/// The cluster's SASL users, as Kafka's kafka-configs --alter --add-config 'SCRAM-SHA-256=[password=...]' manages
/// them. The password never leaves this process: the cluster gets a random salt and the salted password, and stores
/// only keys derived from them; a user authenticates with PLAIN or either SCRAM mechanism it has a credential for.
/// </summary>
public sealed class HubUsers
{
    /// <summary>Kafka's default iteration count for a new SCRAM credential (its tools' and clients' choice).</summary>
    public const int DefaultIterations = 4096;

    /// <summary>Bytes of random salt per credential: as Kafka's ScramFormatter, more than enough against precomputation.</summary>
    private const int SaltBytes = 32;

    private static readonly ScramMechanism[] BothMechanisms = [ScramMechanism.ScramSha256, ScramMechanism.ScramSha512];

    private readonly IGrainFactory _grains;

    internal HubUsers(IGrainFactory grains) => _grains = grains;

    private IUserCredentialsGrain Grain => _grains.GetGrain<IUserCredentialsGrain>(0);

    /// <summary>Creates the user or changes its password, for each mechanism (both SCRAM mechanisms by default).</summary>
    public async Task SetPasswordAsync(string user, string password, IReadOnlyCollection<ScramMechanism>? mechanisms = null,
        int iterations = DefaultIterations, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var upsertions = (mechanisms is { Count: > 0 } ? mechanisms : BothMechanisms).Select(mechanism =>
        {
            var salt = RandomNumberGenerator.GetBytes(SaltBytes);
            return new ScramCredentialUpsertion(user, mechanism, iterations, salt, SaltedPassword(mechanism, password, salt, iterations));
        }).ToList();
        ThrowIfRefused(await Grain.Alter([], upsertions).WaitAsync(ct).ConfigureAwait(false));
    }

    /// <summary>Removes every credential of the user; throws ResourceNotFound when there is no such user.</summary>
    public async Task DeleteAsync(string user, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        var described = (await Grain.Describe([user]).WaitAsync(ct).ConfigureAwait(false)).Single();
        if (described.Error != ErrorCode.None) throw new HubException(described.Error, $"user '{user}': {described.Message}");
        ThrowIfRefused(await Grain.Alter(described.Credentials.Select(c => new ScramCredentialDeletion(user, c.Mechanism)).ToList(), []).WaitAsync(ct).ConfigureAwait(false));
    }

    /// <summary>Every user with its mechanisms and iteration counts, by name.</summary>
    public Task<IReadOnlyList<UserScramCredentials>> ListAsync(CancellationToken ct = default) => Grain.Describe(null).WaitAsync(ct);

    /// <summary>SCRAM's Hi(password, salt, i): PBKDF2 with the mechanism's HMAC, over the password's UTF-8 bytes as Kafka's clients send it.</summary>
    private static byte[] SaltedPassword(ScramMechanism mechanism, string password, byte[] salt, int iterations) => mechanism switch
    {
        ScramMechanism.ScramSha256 => Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32),
        ScramMechanism.ScramSha512 => Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, 64),
        _ => throw new ArgumentOutOfRangeException(nameof(mechanism), mechanism, "not a SCRAM mechanism"),
    };

    private static void ThrowIfRefused(IReadOnlyList<UserCredentialResult> results)
    {
        if (results.FirstOrDefault(r => r.Error != ErrorCode.None) is { } refused)
            throw new HubException(refused.Error, $"user '{refused.User}': {refused.Message}");
    }
}
