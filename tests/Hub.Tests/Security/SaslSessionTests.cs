using System.Text;
using Hub.Errors;
using Hub.Security;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Sasl;
using Hub.Silo.Security;

namespace Hub.Tests.Security;

public sealed class SaslSessionTests
{
    private static readonly byte[] Salt = "0123456789abcdef"u8.ToArray();

    /// <summary>alice's password is "secret", stored for SCRAM-SHA-512 only.</summary>
    private static readonly CredentialLookup Alice = user => Task.FromResult<IReadOnlyDictionary<ScramMechanism, StoredScramCredential>>(user == "alice"
        ? new Dictionary<ScramMechanism, StoredScramCredential>
        {
            [ScramMechanism.ScramSha512] = ScramFormulas.Store(ScramMechanism.ScramSha512, 4096, Salt, ScramFormulas.SaltedPassword(ScramMechanism.ScramSha512, "secret", Salt, 4096)),
        }
        : new Dictionary<ScramMechanism, StoredScramCredential>());

    private static SaslSession Session() => new(SaslMechanisms.All, Alice);

    private static byte[] Plain(string user, string password, string authorizationId = "") => Encoding.UTF8.GetBytes($"{authorizationId}\0{user}\0{password}");

    [Fact]
    public async Task Plain_checks_the_password_against_the_stored_scram_credential()
    {
        var session = Session();
        Assert.False(session.Allows(ApiKey.Metadata));
        Assert.Equal(ErrorCode.None, session.Handshake(SaslMechanisms.Plain, version: 1));
        Assert.True(session.AwaitsAuthenticate);

        Assert.Empty(await session.AuthenticateAsync(Plain("alice", "secret")));

        Assert.True(session.IsAuthenticated);
        Assert.Equal("alice", session.User);
        Assert.True(session.Allows(ApiKey.Metadata));
    }

    [Theory]
    [InlineData("alice", "wrong", "")]
    [InlineData("bob", "secret", "")]
    [InlineData("alice", "secret", "bob")]
    public async Task Plain_refuses_a_wrong_password_an_unknown_user_and_another_authorization_id(string user, string password, string authorizationId)
    {
        var session = Session();
        session.Handshake(SaslMechanisms.Plain, version: 1);

        await Assert.ThrowsAsync<SaslAuthenticationException>(() => session.AuthenticateAsync(Plain(user, password, authorizationId)));

        Assert.False(session.IsAuthenticated);
        Assert.Null(session.User);
        Assert.False(session.Allows(ApiKey.Produce));
    }

    [Fact]
    public void Before_authentication_only_the_apis_that_lead_to_it_are_allowed()
    {
        var session = Session();
        Assert.True(session.Allows(ApiKey.ApiVersions));
        Assert.True(session.Allows(ApiKey.SaslHandshake));
        Assert.True(session.Allows(ApiKey.SaslAuthenticate));
        Assert.All(Enum.GetValues<ApiKey>().Except([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]),
            key => Assert.False(session.Allows(key)));
    }

    [Fact]
    public void A_mechanism_not_enabled_or_a_second_handshake_is_refused()
    {
        var scramOnly = new SaslSession([SaslMechanisms.ScramSha256], Alice);
        Assert.Equal(ErrorCode.UnsupportedSaslMechanism, scramOnly.Handshake(SaslMechanisms.Plain, version: 1));
        Assert.Equal(ErrorCode.UnsupportedSaslMechanism, scramOnly.Handshake("GSSAPI", version: 1));
        Assert.Equal(ErrorCode.None, scramOnly.Handshake(SaslMechanisms.ScramSha256, version: 1));
        Assert.Equal(ErrorCode.IllegalSaslState, scramOnly.Handshake(SaslMechanisms.ScramSha256, version: 1));
    }

    [Fact]
    public void A_version_0_handshake_means_bare_tokens_follow()
    {
        var session = Session();
        session.Handshake(SaslMechanisms.ScramSha512, version: 0);
        Assert.True(session.ExpectsRawToken);
        Assert.False(session.AwaitsAuthenticate);
    }

    [Fact]
    public async Task Authenticating_before_a_handshake_is_refused()
    {
        await Assert.ThrowsAsync<SaslAuthenticationException>(() => Session().AuthenticateAsync(Plain("alice", "secret")));
    }
}
