using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Kafka;
using Hub.Tests.Support;
using KafkaErrorCode = Confluent.Kafka.ErrorCode;

namespace Hub.Tests.Security;

/// <summary>
/// Real Kafka clients (kcat, Confluent.Kafka, kafkajs, kafka-python: none written here) over TLS and SASL: each
/// mechanism works, and a wrong password, an unknown user, an expired certificate or plaintext to a TLS port gets
/// the client's normal error and changes nothing.
/// </summary>
public sealed class SecureListenerTests(SecureCluster secure) : IClassFixture<SecureCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Mechanisms => new() { "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512" };

    private string[] KcatSaslSsl(string mechanism, string user = SecureCluster.User, string password = SecureCluster.Password) =>
    [
        "-b", secure.Bootstrap("SASL_SSL"), "-X", "security.protocol=SASL_SSL", "-X", $"ssl.ca.location={secure.CaFile}",
        "-X", $"sasl.mechanisms={mechanism}", "-X", $"sasl.username={user}", "-X", $"sasl.password={password}",
    ];

    [KcatTheory]
    [MemberData(nameof(Mechanisms))]
    public async Task Kcat_produces_and_consumes_over_sasl_ssl(string mechanism)
    {
        var value = $"kcat-{mechanism}-{Guid.NewGuid():N}";
        var produced = await Kcat.RunAsync(value + "\n", [.. KcatSaslSsl(mechanism), "-P", "-t", SecureCluster.Topic]);
        Assert.True(produced.ExitCode == 0, produced.Errors);

        var consumed = await Kcat.RunAsync(null, [.. KcatSaslSsl(mechanism), "-C", "-t", SecureCluster.Topic, "-e", "-q"]);
        Assert.True(consumed.ExitCode == 0, consumed.Errors);
        Assert.Contains(value, consumed.Output);
    }

    [KcatTheory]
    [InlineData("PLAIN", SecureCluster.User, "wrong")]
    [InlineData("SCRAM-SHA-256", SecureCluster.User, "wrong")]
    [InlineData("SCRAM-SHA-512", "mallory", SecureCluster.Password)]
    public async Task Kcat_with_a_wrong_password_or_unknown_user_gets_an_authentication_error_and_writes_nothing(string mechanism, string user, string password)
    {
        var topic = KafkaCluster.NewTopic("denied");
        var refused = await Kcat.RunAsync("never stored\n", [.. KcatSaslSsl(mechanism, user, password), "-P", "-t", topic, "-m", "5"]);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("SASL authentication error", refused.Errors);
        Assert.DoesNotContain(await secure.Cluster.Client.Admin.ListTopicsAsync(), t => t.Name == topic);
    }

    [KcatFact]
    public async Task Kcat_in_plaintext_to_a_tls_port_is_disconnected_and_the_listener_keeps_serving()
    {
        var refused = await Kcat.RunAsync(null, "-b", secure.Bootstrap("SASL_SSL"), "-L", "-m", "5");
        Assert.NotEqual(0, refused.ExitCode);

        var listed = await Kcat.RunAsync(null, [.. KcatSaslSsl("SCRAM-SHA-256"), "-L", "-t", SecureCluster.Topic]);
        Assert.True(listed.ExitCode == 0, listed.Errors);
        // Metadata names the brokers by the listener the client came in on.
        Assert.Contains($"broker 0 at {secure.Bootstrap("SASL_SSL")}", listed.Output);
    }

    [KcatFact]
    public async Task Kcat_with_a_client_certificate_is_served_on_the_ssl_listener_and_refused_without_one_or_with_an_expired_one()
    {
        string[] Ssl(params string[] rest) => ["-b", secure.Bootstrap("SSL"), "-X", "security.protocol=SSL", "-X", $"ssl.ca.location={secure.CaFile}", .. rest, "-L", "-m", "5"];

        var served = await Kcat.RunAsync(null, Ssl("-X", $"ssl.certificate.location={secure.ClientCertificateFile}", "-X", $"ssl.key.location={secure.ClientKeyFile}"));
        Assert.True(served.ExitCode == 0, served.Errors);
        Assert.Contains($"broker 0 at {secure.Bootstrap("SSL")}", served.Output);

        var withoutCertificate = await Kcat.RunAsync(null, Ssl());
        Assert.NotEqual(0, withoutCertificate.ExitCode);

        var expired = await Kcat.RunAsync(null, Ssl("-X", $"ssl.certificate.location={secure.ExpiredCertificateFile}", "-X", $"ssl.key.location={secure.ExpiredKeyFile}"));
        Assert.NotEqual(0, expired.ExitCode);
    }

    private ClientConfig Confluent(string mechanism, string user = SecureCluster.User, string password = SecureCluster.Password) => new()
    {
        BootstrapServers = secure.Bootstrap("SASL_SSL"),
        SecurityProtocol = SecurityProtocol.SaslSsl,
        SslCaLocation = secure.CaFile,
        SaslMechanism = mechanism switch { "PLAIN" => SaslMechanism.Plain, "SCRAM-SHA-256" => SaslMechanism.ScramSha256, _ => SaslMechanism.ScramSha512 },
        SaslUsername = user,
        SaslPassword = password,
    };

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public async Task Confluent_kafka_produces_and_consumes_over_sasl_ssl(string mechanism)
    {
        var value = $"confluent-{mechanism}-{Guid.NewGuid():N}";
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig(Confluent(mechanism)) { MessageTimeoutMs = 15000 }).Build())
        {
            var delivered = await producer.ProduceAsync(SecureCluster.Topic, new Message<Null, string> { Value = value });
            Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        }

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig(Confluent(mechanism))
        {
            GroupId = $"g-{Guid.NewGuid():N}", AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(SecureCluster.Topic);
        var deadline = DateTime.UtcNow + Timeout;
        string? seen = null;
        while (seen != value && DateTime.UtcNow < deadline) seen = consumer.Consume(TimeSpan.FromSeconds(1))?.Message.Value ?? seen;
        Assert.Equal(value, seen);
    }

    [Fact]
    public async Task Confluent_kafka_admin_creates_a_scram_user_that_then_authenticates()
    {
        var user = $"carol-{Guid.NewGuid():N}"[..14];
        using (var admin = new AdminClientBuilder(new AdminClientConfig(Confluent("SCRAM-SHA-512"))).Build())
        {
            await admin.AlterUserScramCredentialsAsync(
            [
                new UserScramCredentialUpsertion
                {
                    User = user, Password = Encoding.UTF8.GetBytes("carol-secret"),
                    ScramCredentialInfo = new ScramCredentialInfo { Mechanism = ScramMechanism.ScramSha256, Iterations = 8192 },
                },
            ]);
            var described = (await admin.DescribeUserScramCredentialsAsync([user])).UserScramCredentialsDescriptions.Single();
            Assert.Equal(user, described.User);
            var info = Assert.Single(described.ScramCredentialInfos);
            Assert.Equal((ScramMechanism.ScramSha256, 8192), (info.Mechanism, info.Iterations));

            var unknown = await Assert.ThrowsAsync<DescribeUserScramCredentialsException>(() => admin.DescribeUserScramCredentialsAsync(["nobody-here"]));
            Assert.Equal(KafkaErrorCode.ResourceNotFound, unknown.Results.UserScramCredentialsDescriptions.Single().Error.Code);
        }

        using var carol = new AdminClientBuilder(new AdminClientConfig(Confluent("SCRAM-SHA-256", user, "carol-secret"))).Build();
        Assert.Contains(carol.GetMetadata(Timeout).Topics, t => t.Topic == SecureCluster.Topic);
    }

    [Fact]
    public async Task Confluent_kafka_with_a_wrong_password_fails_with_an_authentication_error()
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig(Confluent("SCRAM-SHA-256", password: "wrong"))
        {
            MessageTimeoutMs = 5000,
        }).Build();
        var failed = await Assert.ThrowsAsync<ProduceException<Null, string>>(() =>
            producer.ProduceAsync(SecureCluster.Topic, new Message<Null, string> { Value = "never stored" }));
        Assert.Contains(failed.Error.Code, new[] { KafkaErrorCode.Local_Authentication, KafkaErrorCode.Local_MsgTimedOut });
    }

    [KafkajsTheory]
    [InlineData("plain")]
    [InlineData("scram-sha-256")]
    [InlineData("scram-sha-512")]
    public async Task Kafkajs_produces_and_consumes_over_sasl_ssl(string mechanism)
    {
        var security = new { ca = secure.CaFile, sasl = new { mechanism, username = SecureCluster.User, password = SecureCluster.Password } };
        var topic = KafkaCluster.NewTopic("kafkajs-sasl");
        await secure.Cluster.Client.Admin.CreateTopicAsync(topic, 1);

        var result = await Kafkajs.RunProcessAsync(security, "roundtrip", secure.Bootstrap("SASL_SSL"), topic);

        Assert.True(result.ExitCode == 0, result.Errors);
        Assert.Contains(Convert.ToBase64String("v1"u8), result.Output);
    }

    [KafkajsFact]
    public async Task Kafkajs_with_a_wrong_password_fails_with_sasl_authentication_failed()
    {
        var security = new { ca = secure.CaFile, sasl = new { mechanism = "scram-sha-256", username = SecureCluster.User, password = "wrong" } };
        var result = await Kafkajs.RunProcessAsync(security, "metadata", secure.Bootstrap("SASL_SSL"), SecureCluster.Topic);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("SASL", result.Errors);
    }

    [PythonKafkaTheory]
    [MemberData(nameof(Mechanisms))]
    public async Task Kafka_python_produces_over_sasl_ssl_with_its_version_0_handshake(string mechanism)
    {
        var value = $"python-{mechanism}-{Guid.NewGuid():N}";
        var produced = await PythonKafka.ProduceAsync(secure.Bootstrap("SASL_SSL"), secure.CaFile, mechanism, SecureCluster.User, SecureCluster.Password, SecureCluster.Topic, value);
        Assert.True(produced.ExitCode == 0, produced.Errors);

        var consumed = await Kcat.RunAsync(null, [.. KcatSaslSsl("PLAIN"), "-C", "-t", SecureCluster.Topic, "-e", "-q"]);
        Assert.Contains(value, consumed.Output);
    }

    [Fact]
    public async Task A_request_before_sasl_authentication_closes_the_connection()
    {
        using var connection = await RawKafkaConnection.ConnectAsync(secure.Bootstrap("SASL_PLAINTEXT"));
        await connection.SendAsync(ApiKey.ApiVersions, 0, 1, RequestBodies.ApiVersions(0));
        Assert.NotNull(await connection.ReceiveAsync());

        await connection.SendAsync(ApiKey.Metadata, 1, 2, RequestBodies.Metadata(1, SecureCluster.Topic));

        Assert.True(await connection.IsClosedByPeerAsync());
    }

    [Fact]
    public async Task Acl_apis_answer_security_disabled_while_authorization_is_off()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig(Confluent("SCRAM-SHA-256"))).Build();
        var refused = await Assert.ThrowsAsync<CreateAclsException>(() => admin.CreateAclsAsync(
        [
            new AclBinding
            {
                Pattern = new ResourcePattern { Type = ResourceType.Topic, Name = "*", ResourcePatternType = ResourcePatternType.Literal },
                Entry = new AccessControlEntry { Principal = "User:alice", Host = "*", Operation = AclOperation.All, PermissionType = AclPermissionType.Allow },
            },
        ]));
        Assert.Equal(KafkaErrorCode.SecurityDisabled, refused.Results.Single().Error.Code);
        Assert.Empty(await secure.Cluster.Client.Acls.ListAsync());
    }
}
