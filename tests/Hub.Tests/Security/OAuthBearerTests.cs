using System.Security.Claims;
using System.Security.Cryptography;
using Confluent.Kafka;
using Hub.Tests.Cluster;
using Hub.Tests.Kafka;
using Hub.Tests.Support;
using Hub.Silo.Kafka.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Tests.Security;

/// <summary>
/// A silo whose SASL listener offers OAUTHBEARER, checking tokens against an identity provider's key set (written
/// here as the provider would publish it), issuer "https://idp.test" and audience "hub"; unsigned tokens are allowed
/// (development mode), so librdkafka's own unsecured tokens work too.
/// </summary>
public sealed class OAuthBearerCluster : IAsyncLifetime
{
    public const string Issuer = "https://idp.test";
    public const string Audience = "hub";

    private readonly TempDirectory _files = new();

    public RSA Key { get; } = RSA.Create(2048);

    public HubTestCluster Cluster { get; private set; } = null!;

    public string Bootstrap => $"127.0.0.1:{Cluster.SiloServices.GetRequiredService<KafkaListeners>().EndPointOf("SASL_PLAINTEXT")!.Port}";

    public async Task InitializeAsync()
    {
        var parameters = Key.ExportParameters(includePrivateParameters: false);
        var jwks = Path.Combine(_files.Path, "jwks.json");
        await File.WriteAllTextAsync(jwks,
            $$"""{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"idp-1","n":"{{Base64UrlEncoder.Encode(parameters.Modulus)}}","e":"{{Base64UrlEncoder.Encode(parameters.Exponent)}}"}]}""");
        Cluster = await HubTestCluster.StartAsync(settings: new Dictionary<string, string>
        {
            ["KafkaListeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            ["KafkaSaslMechanisms"] = "SCRAM-SHA-256,OAUTHBEARER",
            ["KafkaOAuthBearer:JwksFile"] = jwks,
            ["KafkaOAuthBearer:Issuer"] = Issuer,
            ["KafkaOAuthBearer:Audience"] = Audience,
            ["KafkaOAuthBearer:AllowUnsecuredJwt"] = "true",
        });
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Key.Dispose();
        _files.Dispose();
    }

    /// <summary>A token for <paramref name="subject"/> as the provider would sign it, with what a test changes.</summary>
    public string Token(string subject, RSA? signedWith = null, string audience = Audience, TimeSpan? validFor = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            NotBefore = DateTime.UtcNow.AddMinutes(-10),
            IssuedAt = DateTime.UtcNow.AddMinutes(-10),
            Expires = DateTime.UtcNow + (validFor ?? TimeSpan.FromMinutes(10)),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signedWith ?? Key) { KeyId = "idp-1" }, SecurityAlgorithms.RsaSha256),
        });
}

/// <summary>SASL/OAUTHBEARER with Confluent.Kafka (librdkafka): a valid token authenticates, a bad one gets the reason.</summary>
public sealed class OAuthBearerTests(OAuthBearerCluster idp) : IClassFixture<OAuthBearerCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private ProducerConfig Config() => new()
    {
        BootstrapServers = idp.Bootstrap,
        SecurityProtocol = SecurityProtocol.SaslPlaintext,
        SaslMechanism = SaslMechanism.OAuthBearer,
        MessageTimeoutMs = 10_000,
    };

    /// <summary>Produces one record with <paramref name="token"/>; the delivery, or the first error librdkafka reports.</summary>
    private async Task<(DeliveryResult<Null, string>? Delivered, string? Error)> ProduceAsync(string topic, string token, string principal)
    {
        string? error = null;
        using var producer = new ProducerBuilder<Null, string>(Config())
            .SetOAuthBearerTokenRefreshHandler((client, _) =>
                client.OAuthBearerSetToken(token, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds(), principal))
            .SetErrorHandler((_, e) => error ??= e.Reason)
            .Build();
        try
        {
            return (await producer.ProduceAsync(topic, new Message<Null, string> { Value = "v" }).WaitAsync(Timeout), null);
        }
        catch (ProduceException<Null, string> e)
        {
            return (null, error ?? e.Error.Reason);
        }
    }

    private async Task<string> NewTopicAsync()
    {
        var topic = KafkaCluster.NewTopic("oauth");
        await idp.Cluster.Client.Admin.CreateTopicAsync(topic, 1);
        return topic;
    }

    [Fact]
    public async Task A_token_signed_by_the_provider_authenticates_its_subject()
    {
        var topic = await NewTopicAsync();
        var (delivered, error) = await ProduceAsync(topic, idp.Token("alice"), "alice");
        Assert.True(delivered is { Status: PersistenceStatus.Persisted }, error);
    }

    [Fact]
    public async Task Tokens_signed_by_another_key_for_another_audience_or_expired_are_refused_with_the_reason()
    {
        var topic = await NewTopicAsync();
        using var other = RSA.Create(2048);
        foreach (var (token, reason) in new[]
                 {
                     (idp.Token("mallory", signedWith: other), "signature"),
                     (idp.Token("alice", audience: "another-service"), "audience"),
                     (idp.Token("alice", validFor: TimeSpan.FromMinutes(-5)), "expired"),
                 })
        {
            var (delivered, error) = await ProduceAsync(topic, token, "alice");
            Assert.Null(delivered);
            Assert.Contains("invalid OAUTHBEARER token", error);
            Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(0, (await idp.Cluster.Client.Admin.DescribeTopicAsync(topic)).Partitions[0].HighWatermark);
    }

    [Fact]
    public async Task Librdkafkas_own_unsecured_token_works_where_unsigned_tokens_are_allowed()
    {
        var topic = await NewTopicAsync();
        var config = Config();
        config.Set("enable.sasl.oauthbearer.unsecure.jwt", "true");
        config.SaslOauthbearerConfig = "principal=bob lifeSeconds=600";
        using var producer = new ProducerBuilder<Null, string>(config).Build();
        var delivered = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "unsecured" }).WaitAsync(Timeout);
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
    }
}
