using Hub.Errors;
using Hub.Security;

namespace Hub.Silo.Security;

/// <summary>
/// Kafka's rules for AlterUserScramCredentials and DescribeUserScramCredentials, over the users as stored: a user's
/// changes all apply or none does; a (user, mechanism) named twice, an empty name, an unknown mechanism, an
/// iteration count outside [<see cref="ScramFormulas.MinIterations"/>, <see cref="ScramFormulas.MaxIterations"/>],
/// a salted password of the wrong length or the deletion of a credential that doesn't exist refuses that user.
/// </summary>
internal static class UserCredentialChanges
{
    /// <summary>The users after the changes (a new dictionary; <paramref name="users"/> is left as it was) and one result per user named.</summary>
    public static (Dictionary<string, Dictionary<ScramMechanism, StoredScramCredential>> Users, IReadOnlyList<UserCredentialResult> Results) Apply(
        IReadOnlyDictionary<string, Dictionary<ScramMechanism, StoredScramCredential>> users,
        IReadOnlyList<ScramCredentialDeletion> deletions, IReadOnlyList<ScramCredentialUpsertion> upsertions)
    {
        var changes = deletions.Select(d => (d.User, d.Mechanism, Upsertion: (ScramCredentialUpsertion?)null))
            .Concat(upsertions.Select(u => (u.User, u.Mechanism, Upsertion: (ScramCredentialUpsertion?)u)))
            .ToList();
        var after = users.ToDictionary(u => u.Key, u => new Dictionary<ScramMechanism, StoredScramCredential>(u.Value), StringComparer.Ordinal);
        var results = new List<UserCredentialResult>();
        foreach (var byUser in changes.GroupBy(c => c.User, StringComparer.Ordinal))
        {
            var refusal = Refusal(byUser.Key, byUser.Select(c => (c.Mechanism, c.Upsertion)).ToList(), users);
            if (refusal is { } r)
            {
                results.Add(new UserCredentialResult(byUser.Key, r.Error, r.Message));
                continue;
            }
            var credentials = after.TryGetValue(byUser.Key, out var existing) ? existing : new Dictionary<ScramMechanism, StoredScramCredential>();
            foreach (var (_, mechanism, upsertion) in byUser)
            {
                if (upsertion is null) credentials.Remove(mechanism);
                else credentials[mechanism] = ScramFormulas.Store(mechanism, upsertion.Iterations, upsertion.Salt, upsertion.SaltedPassword);
            }
            if (credentials.Count == 0) after.Remove(byUser.Key);
            else after[byUser.Key] = credentials;
            results.Add(new UserCredentialResult(byUser.Key, ErrorCode.None, null));
        }
        return (after, results);
    }

    private static (ErrorCode Error, string Message)? Refusal(string user, IReadOnlyList<(ScramMechanism Mechanism, ScramCredentialUpsertion? Upsertion)> changes,
        IReadOnlyDictionary<string, Dictionary<ScramMechanism, StoredScramCredential>> users)
    {
        if (string.IsNullOrEmpty(user)) return (ErrorCode.UnacceptableCredential, "the user name must not be empty");
        if (changes.GroupBy(c => c.Mechanism).Any(g => g.Count() > 1))
            return (ErrorCode.DuplicateResource, "a user credential cannot be altered twice in the same request");
        foreach (var (mechanism, upsertion) in changes)
        {
            if (mechanism is not (ScramMechanism.ScramSha256 or ScramMechanism.ScramSha512))
                return (ErrorCode.UnsupportedSaslMechanism, $"unknown SCRAM mechanism {(sbyte)mechanism}");
            if (upsertion is null)
            {
                if (!users.TryGetValue(user, out var existing) || !existing.ContainsKey(mechanism))
                    return (ErrorCode.ResourceNotFound, "attempt to delete a user credential that does not exist");
                continue;
            }
            if (upsertion.Iterations < ScramFormulas.MinIterations)
                return (ErrorCode.UnacceptableCredential, $"too few iterations: at least {ScramFormulas.MinIterations}");
            if (upsertion.Iterations > ScramFormulas.MaxIterations)
                return (ErrorCode.UnacceptableCredential, $"too many iterations: at most {ScramFormulas.MaxIterations}");
            if (upsertion.Salt.Length == 0) return (ErrorCode.UnacceptableCredential, "the salt must not be empty");
            if (upsertion.SaltedPassword.Length != ScramFormulas.HashLength(mechanism))
                return (ErrorCode.UnacceptableCredential, $"a salted password for this mechanism is {ScramFormulas.HashLength(mechanism)} bytes");
        }
        return null;
    }

    /// <summary>The named users' credentials (every user's when none is named); an unknown or twice-named user gets an error.</summary>
    public static IReadOnlyList<UserScramCredentials> Describe(IReadOnlyDictionary<string, Dictionary<ScramMechanism, StoredScramCredential>> users, IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
            return users.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => Described(u.Key, u.Value)).ToList();
        var counts = names.GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return counts.Select(n =>
            n.Value > 1 ? new UserScramCredentials(n.Key, ErrorCode.DuplicateResource, "cannot describe the same user twice in one request", [])
            : users.TryGetValue(n.Key, out var credentials) ? Described(n.Key, credentials)
            : new UserScramCredentials(n.Key, ErrorCode.ResourceNotFound, "attempt to describe a user credential that does not exist", [])).ToList();
    }

    private static UserScramCredentials Described(string user, Dictionary<ScramMechanism, StoredScramCredential> credentials) =>
        new(user, ErrorCode.None, null, credentials.OrderBy(c => c.Key).Select(c => new ScramCredentialInfo(c.Key, c.Value.Iterations)).ToList());
}
