// Stored by name: the silo's JSON grain storage writes the state's full type name into every state file and Redis
// entry, so these types keep the namespace they were first stored under.
namespace Hub.Silo.Security;

/// <summary>One user's credential for one SCRAM mechanism, as the server keeps it: never the password or the salted password.</summary>
[GenerateSerializer]
internal sealed class StoredScramCredential
{
    [Id(0)] public int Iterations { get; set; }

    [Id(1)] public byte[] Salt { get; set; } = [];

    [Id(2)] public byte[] StoredKey { get; set; } = [];

    [Id(3)] public byte[] ServerKey { get; set; } = [];
}
