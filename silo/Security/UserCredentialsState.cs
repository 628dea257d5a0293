using Hub.Security;

// Stored by name (see StoredScramCredential).
namespace Hub.Silo.Security;

/// <summary>The cluster's SASL users: each user's credentials by mechanism.</summary>
[GenerateSerializer]
internal sealed class UserCredentialsState
{
    [Id(0)] public Dictionary<string, Dictionary<ScramMechanism, StoredScramCredential>> Users { get; set; } = new(StringComparer.Ordinal);
}
