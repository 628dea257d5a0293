namespace Hub.Security;

/// <summary>
/// The cluster's SASL users (one activation, key 0, with durable state): SCRAM credentials stored salted and hashed,
/// as Kafka's AlterUserScramCredentials and DescribeUserScramCredentials manage them.
/// </summary>
public interface IUserCredentialsGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Applies every change for a user, or none of them: one result per user named. A change is stored before
    /// it is answered.
    /// </summary>
    Task<IReadOnlyList<UserCredentialResult>> Alter(IReadOnlyList<ScramCredentialDeletion> deletions, IReadOnlyList<ScramCredentialUpsertion> upsertions);

    /// <summary>The named users' credentials, or every user's when <paramref name="users"/> is null or empty.</summary>
    Task<IReadOnlyList<UserScramCredentials>> Describe(IReadOnlyList<string>? users);
}
