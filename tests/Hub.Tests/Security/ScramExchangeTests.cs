using System.Text;
using Hub.Security;
using Hub.Silo.Kafka.Sasl;
using Hub.Silo.Security;

namespace Hub.Tests.Security;

public sealed class ScramExchangeTests
{
    // RFC 7677 section 3: user "user", password "pencil", the server's half of the nonce fixed.
    private const string Rfc7677ServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static readonly byte[] Rfc7677Salt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");

    private static CredentialLookup Users(ScramMechanism mechanism, string user, string password, byte[] salt, int iterations = 4096) =>
        name => Task.FromResult<IReadOnlyDictionary<ScramMechanism, StoredScramCredential>>(name == user
            ? new Dictionary<ScramMechanism, StoredScramCredential>
            {
                [mechanism] = ScramFormulas.Store(mechanism, iterations, salt, ScramFormulas.SaltedPassword(mechanism, password, salt, iterations)),
            }
            : new Dictionary<ScramMechanism, StoredScramCredential>());

    private static ScramExchange Rfc7677Server(string password = "pencil") =>
        new(ScramMechanism.ScramSha256, Users(ScramMechanism.ScramSha256, "user", password, Rfc7677Salt), () => Rfc7677ServerNonce);

    private static async Task<string> Step(ScramExchange exchange, string message) =>
        Encoding.UTF8.GetString(await exchange.RespondAsync(Encoding.UTF8.GetBytes(message)));

    [Fact]
    public async Task Answers_rfc7677s_exchange_with_its_server_messages()
    {
        var server = Rfc7677Server();

        Assert.Equal("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            await Step(server, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        Assert.Null(server.AuthenticatedUser);
        Assert.Equal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
            await Step(server, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
        Assert.Equal("user", server.AuthenticatedUser);
    }

    [Fact]
    public async Task Refuses_the_right_proof_for_another_password()
    {
        var server = Rfc7677Server(password: "not pencil");
        await Step(server, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");

        var refused = await Assert.ThrowsAsync<SaslAuthenticationException>(() =>
            Step(server, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
        Assert.Contains("invalid credentials", refused.Message);
        Assert.Null(server.AuthenticatedUser);
    }

    [Fact]
    public async Task Refuses_an_unknown_user_as_it_refuses_a_wrong_password()
    {
        var refused = await Assert.ThrowsAsync<SaslAuthenticationException>(() => Step(Rfc7677Server(), "n,,n=nobody,r=abc"));
        Assert.Contains("invalid credentials", refused.Message);
    }

    [Fact]
    public async Task Refuses_a_final_message_whose_nonce_is_not_the_servers()
    {
        var server = Rfc7677Server();
        await Step(server, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        var refused = await Assert.ThrowsAsync<SaslAuthenticationException>(() =>
            Step(server, "c=biws,r=rOprNGfwEbeRWgbNEkqOforged,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
        Assert.Contains("nonce", refused.Message);
    }

    [Theory]
    [InlineData("p=tls-unique,,n=user,r=abc", "channel binding")]
    [InlineData("n,,r=abc,n=user", "must start with n= and r=")]
    [InlineData("n,,n=us=er,r=abc", "malformed user name")]
    [InlineData("n,,n=user,r=abc,tokenauth=true", "delegation tokens")]
    [InlineData("n,a=someone,n=user,r=abc", "authorization id")]
    [InlineData("nonsense", "GS2 header")]
    public async Task Refuses_malformed_or_unsupported_first_messages(string clientFirst, string why)
    {
        var refused = await Assert.ThrowsAsync<SaslAuthenticationException>(() => Step(Rfc7677Server(), clientFirst));
        Assert.Contains(why, refused.Message);
    }

    [Fact]
    public async Task Decodes_escaped_commas_and_equals_signs_in_user_names()
    {
        var salt = "salt"u8.ToArray();
        var server = new ScramExchange(ScramMechanism.ScramSha512, Users(ScramMechanism.ScramSha512, "a,b=c", "pw", salt));
        var first = await Step(server, "n,,n=a=2Cb=3Dc,r=xyz");
        Assert.StartsWith("r=xyz", first);
        Assert.Contains($"s={Convert.ToBase64String(salt)}", first);
    }
}
