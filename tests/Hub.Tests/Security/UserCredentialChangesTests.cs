using Hub.Errors;
using Hub.Security;
using Hub.Silo.Security;

namespace Hub.Tests.Security;

public sealed class UserCredentialChangesTests
{
    private static readonly Dictionary<string, Dictionary<ScramMechanism, StoredScramCredential>> NoUsers = [];

    private static ScramCredentialUpsertion Upsert(string user, ScramMechanism mechanism = ScramMechanism.ScramSha256, int iterations = 4096) =>
        new(user, mechanism, iterations, "salt"u8.ToArray(), new byte[ScramFormulas.HashLength(mechanism)]);

    private static Dictionary<string, Dictionary<ScramMechanism, StoredScramCredential>> With(params ScramCredentialUpsertion[] upsertions) =>
        UserCredentialChanges.Apply(NoUsers, [], upsertions).Users;

    [Fact]
    public void Stores_keys_derived_from_the_salted_password_never_the_salted_password()
    {
        var upsertion = Upsert("alice") with { SaltedPassword = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray() };
        var (users, results) = UserCredentialChanges.Apply(NoUsers, [], [upsertion]);

        Assert.Equal([new UserCredentialResult("alice", ErrorCode.None, null)], results);
        var stored = users["alice"][ScramMechanism.ScramSha256];
        Assert.Equal(4096, stored.Iterations);
        Assert.Equal(upsertion.Salt, stored.Salt);
        Assert.NotEqual(upsertion.SaltedPassword, stored.StoredKey);
        Assert.NotEqual(upsertion.SaltedPassword, stored.ServerKey);
        Assert.Empty(NoUsers);
    }

    [Theory]
    [InlineData("", ScramMechanism.ScramSha256, 4096, ErrorCode.UnacceptableCredential)]
    [InlineData("alice", ScramMechanism.Unknown, 4096, ErrorCode.UnsupportedSaslMechanism)]
    [InlineData("alice", ScramMechanism.ScramSha256, 4095, ErrorCode.UnacceptableCredential)]
    [InlineData("alice", ScramMechanism.ScramSha512, 16385, ErrorCode.UnacceptableCredential)]
    public void Refuses_what_kafka_refuses(string user, ScramMechanism mechanism, int iterations, ErrorCode expected)
    {
        var upsertion = new ScramCredentialUpsertion(user, mechanism, iterations, "salt"u8.ToArray(), new byte[32]);
        var (users, results) = UserCredentialChanges.Apply(NoUsers, [], [upsertion]);
        Assert.Equal(expected, Assert.Single(results).Error);
        Assert.Empty(users);
    }

    [Fact]
    public void Refuses_a_salted_password_of_the_wrong_length()
    {
        var (_, results) = UserCredentialChanges.Apply(NoUsers, [], [Upsert("alice", ScramMechanism.ScramSha512) with { SaltedPassword = new byte[32] }]);
        Assert.Equal(ErrorCode.UnacceptableCredential, Assert.Single(results).Error);
    }

    [Fact]
    public void A_user_named_twice_for_one_mechanism_changes_nothing_for_that_user_only()
    {
        var before = With(Upsert("alice"));
        var (users, results) = UserCredentialChanges.Apply(before,
            [new ScramCredentialDeletion("alice", ScramMechanism.ScramSha256)], [Upsert("alice"), Upsert("bob")]);

        Assert.Equal(ErrorCode.DuplicateResource, results.Single(r => r.User == "alice").Error);
        Assert.Equal(ErrorCode.None, results.Single(r => r.User == "bob").Error);
        Assert.Same(before["alice"][ScramMechanism.ScramSha256].StoredKey, users["alice"][ScramMechanism.ScramSha256].StoredKey);
        Assert.True(users.ContainsKey("bob"));
    }

    [Fact]
    public void Deleting_the_last_credential_removes_the_user_and_deleting_a_missing_one_is_not_found()
    {
        var before = With(Upsert("alice"), Upsert("alice", ScramMechanism.ScramSha512));

        var (afterOne, _) = UserCredentialChanges.Apply(before, [new ScramCredentialDeletion("alice", ScramMechanism.ScramSha256)], []);
        Assert.Equal([ScramMechanism.ScramSha512], afterOne["alice"].Keys);

        var (afterBoth, results) = UserCredentialChanges.Apply(afterOne, [new ScramCredentialDeletion("alice", ScramMechanism.ScramSha512)], []);
        Assert.Equal(ErrorCode.None, Assert.Single(results).Error);
        Assert.Empty(afterBoth);

        var (_, missing) = UserCredentialChanges.Apply(afterBoth, [new ScramCredentialDeletion("alice", ScramMechanism.ScramSha512)], []);
        Assert.Equal(ErrorCode.ResourceNotFound, Assert.Single(missing).Error);
    }

    [Fact]
    public void Describes_every_user_or_the_named_ones_without_keys()
    {
        var users = With(Upsert("bob", iterations: 8192), Upsert("alice"), Upsert("alice", ScramMechanism.ScramSha512));

        var all = UserCredentialChanges.Describe(users, null);
        Assert.Equal(["alice", "bob"], all.Select(u => u.User));
        Assert.Equal([new ScramCredentialInfo(ScramMechanism.ScramSha256, 4096), new ScramCredentialInfo(ScramMechanism.ScramSha512, 4096)], all[0].Credentials);

        var named = UserCredentialChanges.Describe(users, ["bob", "carol", "bob", "alice"]);
        Assert.Equal(ErrorCode.DuplicateResource, named.Single(u => u.User == "bob").Error);
        Assert.Equal(ErrorCode.ResourceNotFound, named.Single(u => u.User == "carol").Error);
        Assert.Equal(ErrorCode.None, named.Single(u => u.User == "alice").Error);
    }
}
