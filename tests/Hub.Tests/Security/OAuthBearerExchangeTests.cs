using System.Security.Claims;
using System.Text;
using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Sasl;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Tests.Security;

/// <summary>The OAUTHBEARER message (RFC 7628) and the unsigned-token rule, without a cluster.</summary>
public sealed class OAuthBearerExchangeTests
{
    private static string Unsigned(string subject) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("sub", subject)]),
        Expires = DateTime.UtcNow.AddMinutes(5),
    });

    private static byte[] Message(string gs2, params string[] pairs) => Encoding.UTF8.GetBytes(gs2 + "\x01" + string.Join("\x01", pairs) + "\x01\x01");

    private static OAuthBearerExchange Exchange(bool allowUnsecured) => new(new OAuthBearerValidator(new KafkaOAuthBearerOptions { AllowUnsecuredJwt = allowUnsecured }));

    [Fact]
    public async Task A_well_formed_message_authenticates_the_tokens_subject_ignoring_extensions()
    {
        var exchange = Exchange(allowUnsecured: true);
        Assert.Empty(await exchange.RespondAsync(Message("n,,", "auth=Bearer " + Unsigned("bob"), "traceId=42")));
        Assert.Equal("bob", exchange.AuthenticatedUser);
    }

    [Theory]
    [InlineData("n,,", "auth=Basic Ym9i", "not 'Bearer TOKEN'")]
    [InlineData("n,,", "host=x", "no auth=Bearer token")]
    [InlineData("y,,", "auth=Bearer x", "GS2 header")]
    public async Task A_malformed_message_is_refused_saying_what_is_wrong(string gs2, string pair, string why)
    {
        var refused = await Assert.ThrowsAsync<SaslAuthenticationException>(() => Exchange(allowUnsecured: true).RespondAsync(Message(gs2, pair)));
        Assert.Contains(why, refused.Message);
    }

    [Fact]
    public async Task An_authorization_id_must_be_the_tokens_subject()
    {
        var refused = await Assert.ThrowsAsync<SaslAuthenticationException>(() =>
            Exchange(allowUnsecured: true).RespondAsync(Message("n,a=admin,", "auth=Bearer " + Unsigned("bob"))));
        Assert.Contains("authorization id", refused.Message);
    }

    [Fact]
    public void Without_a_key_set_only_development_mode_may_start()
    {
        Assert.Throws<ArgumentException>(() => new OAuthBearerValidator(new KafkaOAuthBearerOptions()));
    }

    [Fact]
    public async Task An_unsigned_token_is_refused_unless_unsecured_tokens_are_allowed()
    {
        using var files = new Support.TempDirectory();
        var jwks = Path.Combine(files.Path, "jwks.json");
        await File.WriteAllTextAsync(jwks, """{"keys":[]}""");
        var validator = new OAuthBearerValidator(new KafkaOAuthBearerOptions { JwksFile = jwks });
        await Assert.ThrowsAsync<SaslAuthenticationException>(() => validator.UserOfAsync(Unsigned("mallory")));
    }
}
