using System.Security.Cryptography;
using System.Text;
using Hub.Security;

namespace Hub.Silo.Security;

/// <summary>SCRAM's key derivations (RFC 5802 section 3) for Kafka's two mechanisms.</summary>
internal static class ScramFormulas
{
    /// <summary>Fewest and most PBKDF2 iterations Kafka accepts in a credential: fewer is too weak, more too slow to check.</summary>
    public const int MinIterations = 4096;

    public const int MaxIterations = 16384;

    public static HashAlgorithmName HashOf(ScramMechanism mechanism) => mechanism switch
    {
        ScramMechanism.ScramSha256 => HashAlgorithmName.SHA256,
        ScramMechanism.ScramSha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(mechanism), mechanism, "not a SCRAM mechanism"),
    };

    public static int HashLength(ScramMechanism mechanism) => mechanism == ScramMechanism.ScramSha512 ? 64 : 32;

    /// <summary>SaltedPassword := Hi(Normalize(password), salt, i), Hi being PBKDF2 with the mechanism's HMAC.</summary>
    public static byte[] SaltedPassword(ScramMechanism mechanism, string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashOf(mechanism), HashLength(mechanism));

    public static byte[] Hmac(ScramMechanism mechanism, byte[] key, ReadOnlySpan<byte> data) =>
        mechanism == ScramMechanism.ScramSha512 ? HMACSHA512.HashData(key, data) : HMACSHA256.HashData(key, data);

    public static byte[] Hash(ScramMechanism mechanism, ReadOnlySpan<byte> data) =>
        mechanism == ScramMechanism.ScramSha512 ? SHA512.HashData(data) : SHA256.HashData(data);

    /// <summary>What the server keeps of a salted password: StoredKey := H(HMAC(SaltedPassword, "Client Key")) and ServerKey.</summary>
    public static StoredScramCredential Store(ScramMechanism mechanism, int iterations, byte[] salt, byte[] saltedPassword) => new()
    {
        Iterations = iterations,
        Salt = salt,
        StoredKey = Hash(mechanism, Hmac(mechanism, saltedPassword, "Client Key"u8)),
        ServerKey = Hmac(mechanism, saltedPassword, "Server Key"u8),
    };

    /// <summary>
    /// Whether <paramref name="password"/> is a user's, by any of its stored credentials (each was derived from the
    /// same password when it was set); false for a user without any. For SASL/PLAIN and the gateway's user.
    /// </summary>
    public static bool MatchesAny(IReadOnlyDictionary<ScramMechanism, StoredScramCredential> credentials, string password) =>
        credentials.Any(c => Matches(c.Key, c.Value, password));

    /// <summary>Whether <paramref name="password"/> is the one <paramref name="credential"/> was made from (for SASL/PLAIN).</summary>
    public static bool Matches(ScramMechanism mechanism, StoredScramCredential credential, string password)
    {
        var salted = SaltedPassword(mechanism, password, credential.Salt, credential.Iterations);
        var storedKey = Hash(mechanism, Hmac(mechanism, salted, "Client Key"u8));
        return CryptographicOperations.FixedTimeEquals(storedKey, credential.StoredKey);
    }
}
