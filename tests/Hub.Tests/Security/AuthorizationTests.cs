using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Tests.Cluster;
using Hub.Tests.Support;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using Hub.Tests.Kafka;
using Hub.Silo.Kafka.Transport;
using Microsoft.Extensions.DependencyInjection;
using KafkaErrorCode = Confluent.Kafka.ErrorCode;

namespace Hub.Tests.Security;

/// <summary>
/// A silo with authorization on: super user admin (the bootstrap user, whom the cluster's own SDK client is), and
/// alice and bob over SASL_PLAINTEXT, each with only the ACLs a test gives them.
/// </summary>
public sealed class AuthorizedCluster : IAsyncLifetime
{
    private readonly TempDirectory _secrets = new();

    public HubTestCluster Cluster { get; private set; } = null!;

    public string Bootstrap => $"127.0.0.1:{Cluster.SiloServices.GetRequiredService<KafkaListeners>().EndPointOf("SASL_PLAINTEXT")!.Port}";

    public async Task InitializeAsync()
    {
        var passwordFile = Path.Combine(_secrets.Path, "admin-password");
        await File.WriteAllTextAsync(passwordFile, AdminCredentials.Password + "\n");
        Cluster = await HubTestCluster.StartAsync(settings: new Dictionary<string, string>
        {
            ["KafkaListeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            ["Authorization:Enabled"] = "true",
            ["Authorization:SuperUsers"] = "User:admin;User:ops",
            ["Authorization:BootstrapUser"] = AdminCredentials.User,
            ["Authorization:BootstrapPasswordFile"] = passwordFile,
        }, configurators: [typeof(AdminCredentials)]);
        foreach (var user in new[] { "alice", "bob" }) await Cluster.Client.Users.SetPasswordAsync(user, $"{user}-secret");
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _secrets.Dispose();
    }

    public ClientConfig As(string user) => new()
    {
        BootstrapServers = Bootstrap,
        SecurityProtocol = SecurityProtocol.SaslPlaintext,
        SaslMechanism = SaslMechanism.ScramSha256,
        SaslUsername = user,
        SaslPassword = $"{user}-secret",
    };

    public IAdminClient Admin(string user) => new AdminClientBuilder(new AdminClientConfig(As(user))).Build();

    /// <summary>A topic of its own for one test, made through the SDK.</summary>
    public async Task<string> NewTopicAsync(string prefix)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        await Cluster.Client.Admin.CreateTopicAsync(topic, 1);
        return topic;
    }
}

/// <summary>The test cluster's own client calls as the bootstrap super user.</summary>
public sealed class AdminCredentials : IClientBuilderConfigurator
{
    public const string User = BootstrapAdmin.User;

    public const string Password = BootstrapAdmin.Password;

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => Hub.Client.GatewayCredentials.UseHubCredentials(clientBuilder, User, Password);
}

/// <summary>Kafka's ACLs, checked on real clients' requests: what is denied gets Kafka's error and changes nothing.</summary>
public sealed class AuthorizationTests(AuthorizedCluster secured) : IClassFixture<AuthorizedCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static AclBinding Allow(string principal, ResourceType type, string name, AclOperation operation,
        ResourcePatternType pattern = ResourcePatternType.Literal, AclPermissionType permission = AclPermissionType.Allow) => new()
    {
        Pattern = new ResourcePattern { Type = type, Name = name, ResourcePatternType = pattern },
        Entry = new AccessControlEntry { Principal = principal, Host = "*", Operation = operation, PermissionType = permission },
    };

    private async Task GrantAsync(params AclBinding[] acls)
    {
        using var admin = secured.Admin("admin");
        await admin.CreateAclsAsync(acls);
    }

    private async Task<DeliveryResult<Null, string>> ProduceAsync(string user, string topic, string value)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig(secured.As(user)) { MessageTimeoutMs = 10000 }).Build();
        return await producer.ProduceAsync(topic, new Message<Null, string> { Value = value });
    }

    private string? ConsumeOne(string user, string topic, string group)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig(secured.As(user))
        {
            GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { Message: not null } record)
            {
                consumer.Commit(record);
                return record.Message.Value;
            }
        return null;
    }

    [Fact]
    public async Task Deleting_records_needs_delete_on_the_topic()
    {
        var topic = await secured.NewTopicAsync("purged");
        await ProduceAsync("admin", topic, "kept until deleted");
        await GrantAsync(Allow("User:bob", ResourceType.Topic, topic, AclOperation.Describe));
        using var bob = secured.Admin("bob");

        var refused = await Assert.ThrowsAsync<DeleteRecordsException>(() => bob.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, Offset.End)]));
        Assert.Equal(KafkaErrorCode.TopicAuthorizationFailed, refused.Results.Single().Error.Code);
        Assert.Equal(0, (await secured.Cluster.Client.Admin.DescribeTopicAsync(topic)).Partitions[0].LogStartOffset);

        await GrantAsync(Allow("User:bob", ResourceType.Topic, topic, AclOperation.Delete));
        Assert.Equal(1, (await bob.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, Offset.End)])).Single().Offset.Value);
        Assert.Equal(1, (await secured.Cluster.Client.Admin.DescribeTopicAsync(topic)).Partitions[0].LogStartOffset);
    }

    [Fact]
    public async Task A_principal_without_acls_can_do_nothing_and_changes_nothing()
    {
        var topic = await secured.NewTopicAsync("guarded");
        var produced = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => ProduceAsync("bob", topic, "never stored"));
        Assert.Equal(KafkaErrorCode.TopicAuthorizationFailed, produced.Error.Code);

        using var bob = secured.Admin("bob");
        Assert.DoesNotContain(bob.GetMetadata(Timeout).Topics, t => t.Topic == topic);
        var created = await Assert.ThrowsAsync<CreateTopicsException>(() => bob.CreateTopicsAsync([new TopicSpecification { Name = topic + "-bob", NumPartitions = 1 }]));
        Assert.Equal(KafkaErrorCode.TopicAuthorizationFailed, created.Results.Single().Error.Code);
        var deleted = await Assert.ThrowsAsync<DeleteTopicsException>(() => bob.DeleteTopicsAsync([topic]));
        Assert.Equal(KafkaErrorCode.TopicAuthorizationFailed, deleted.Results.Single().Error.Code);
        var acl = await Assert.ThrowsAsync<CreateAclsException>(() => bob.CreateAclsAsync([Allow("User:bob", ResourceType.Topic, "*", AclOperation.All)]));
        Assert.Equal(KafkaErrorCode.ClusterAuthorizationFailed, acl.Results.Single().Error.Code);

        var topics = (await secured.Cluster.Client.Admin.ListTopicsAsync()).Select(t => t.Name).ToList();
        Assert.Contains(topic, topics);
        Assert.DoesNotContain(topic + "-bob", topics);
        Assert.Equal(0, (await secured.Cluster.Client.Admin.DescribeTopicAsync(topic)).Partitions[0].HighWatermark);
    }

    [Fact]
    public async Task Prefixed_acls_let_a_principal_produce_and_consume_its_own_topics_and_groups_only()
    {
        var mine = await secured.NewTopicAsync("alice-p");
        var other = await secured.NewTopicAsync("other-p");
        await GrantAsync(
            Allow("User:alice", ResourceType.Topic, "alice-", AclOperation.Write, ResourcePatternType.Prefixed),
            Allow("User:alice", ResourceType.Topic, "alice-", AclOperation.Read, ResourcePatternType.Prefixed),
            Allow("User:alice", ResourceType.Group, "alice-", AclOperation.Read, ResourcePatternType.Prefixed));

        Assert.Equal(PersistenceStatus.Persisted, (await ProduceAsync("alice", mine, "mine")).Status);
        Assert.Equal("mine", ConsumeOne("alice", mine, $"alice-{Guid.NewGuid():N}"));

        var refused = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => ProduceAsync("alice", other, "not hers"));
        Assert.Equal(KafkaErrorCode.TopicAuthorizationFailed, refused.Error.Code);
        var group = Assert.Throws<ConsumeException>(() => ConsumeOne("alice", mine, $"bob-{Guid.NewGuid():N}"));
        Assert.Equal(KafkaErrorCode.GroupAuthorizationFailed, group.Error.Code);
        Assert.Equal(0, (await secured.Cluster.Client.Admin.DescribeTopicAsync(other)).Partitions[0].HighWatermark);
    }

    [Fact]
    public async Task A_deny_wins_over_a_wildcard_allow_and_deleting_acls_takes_rights_away()
    {
        var open = await secured.NewTopicAsync("open-d");
        var secret = await secured.NewTopicAsync("secret-d");
        await GrantAsync(
            Allow("User:bob", ResourceType.Topic, "*", AclOperation.Write),
            Allow("User:bob", ResourceType.Topic, secret, AclOperation.Write, permission: AclPermissionType.Deny));

        Assert.Equal(PersistenceStatus.Persisted, (await ProduceAsync("bob", open, "allowed")).Status);
        var denied = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => ProduceAsync("bob", secret, "denied"));
        Assert.Equal(KafkaErrorCode.TopicAuthorizationFailed, denied.Error.Code);

        using (var admin = secured.Admin("admin"))
        {
            var filter = new AclBindingFilter
            {
                PatternFilter = new ResourcePatternFilter { Type = ResourceType.Any, ResourcePatternType = ResourcePatternType.Any },
                EntryFilter = new AccessControlEntryFilter { Principal = "User:bob", Operation = AclOperation.Any, PermissionType = AclPermissionType.Any },
            };
            var described = await admin.DescribeAclsAsync(filter);
            Assert.Equal(2, described.AclBindings.Count);
            var deleted = await admin.DeleteAclsAsync([filter]);
            Assert.Equal(2, deleted.Single().AclBindings.Count);
        }
        var revoked = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => ProduceAsync("bob", open, "revoked"));
        Assert.Equal(KafkaErrorCode.TopicAuthorizationFailed, revoked.Error.Code);
        Assert.Equal(1, (await secured.Cluster.Client.Admin.DescribeTopicAsync(open)).Partitions[0].HighWatermark);
    }

    [Fact]
    public async Task A_super_user_may_do_everything_without_an_acl()
    {
        var topic = KafkaCluster.NewTopic("admin-made");
        using var admin = secured.Admin("admin");
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1 }]);
        Assert.Equal(PersistenceStatus.Persisted, (await ProduceAsync("admin", topic, "by admin")).Status);
        Assert.Contains(admin.GetMetadata(Timeout).Topics, t => t.Topic == topic);
    }

    [KcatFact]
    public async Task Kcat_without_rights_gets_topic_authorization_failed()
    {
        var topic = await secured.NewTopicAsync("kcat-denied");
        var produce = await Kcat.RunAsync("denied\n", "-b", secured.Bootstrap, "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN",
            "-X", "sasl.username=bob", "-X", "sasl.password=bob-secret", "-P", "-t", topic, "-p", "0", "-X", "message.timeout.ms=5000");
        Assert.Contains("Topic authorization failed", produce.Errors, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, (await secured.Cluster.Client.Admin.DescribeTopicAsync(topic)).Partitions[0].HighWatermark);
    }

    [KafkajsFact]
    public async Task Kafkajs_without_rights_is_not_authorized_to_access_the_topic()
    {
        var topic = await secured.NewTopicAsync("kafkajs-denied");
        var security = new { sasl = new { mechanism = "scram-sha-512", username = "bob", password = "bob-secret" } };
        var result = await Kafkajs.RunProcessAsync(security, "roundtrip", secured.Bootstrap, topic);
        Assert.NotEqual(0, result.ExitCode);
        Assert.True(result.Errors.Contains("Not authorized to access topics: [Topic authorization failed]", StringComparison.Ordinal), result.Errors);
    }

    [Fact]
    public async Task Admin_listings_show_only_what_the_principal_may_describe()
    {
        var readable = await secured.NewTopicAsync("readable-l");
        var hidden = await secured.NewTopicAsync("hidden-l");
        await GrantAsync(Allow("User:alice", ResourceType.Topic, readable, AclOperation.Read));
        Assert.Equal("visible", await ProduceAsync("admin", readable, "visible") is { Status: PersistenceStatus.Persisted } ? "visible" : "");
        var group = $"admin-group-{Guid.NewGuid():N}";
        Assert.Equal("visible", ConsumeOne("admin", readable, group));

        using var alice = secured.Admin("alice");
        var topics = alice.GetMetadata(Timeout).Topics.Select(t => t.Topic).ToList();
        Assert.Contains(readable, topics);
        Assert.DoesNotContain(hidden, topics);
        Assert.DoesNotContain((await alice.ListConsumerGroupsAsync()).Valid, g => g.GroupId == group);
        var configs = await Assert.ThrowsAsync<DescribeConfigsException>(() =>
            alice.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = readable }]));
        Assert.Equal(KafkaErrorCode.TopicAuthorizationFailed, configs.Results.Single().Error.Code);
    }

    [Fact]
    public async Task Altering_configs_needs_alter_configs_on_the_topic_or_on_the_cluster_for_a_broker()
    {
        var topic = await secured.NewTopicAsync("alter-configs");
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = topic };
        Dictionary<ConfigResource, List<ConfigEntry>> Retention(string value) =>
            new() { [resource] = [new ConfigEntry { Name = "retention.ms", Value = value, IncrementalOperation = AlterConfigOpType.Set }] };
        await GrantAsync(Allow("User:alice", ResourceType.Topic, topic, AclOperation.DescribeConfigs));
        using var alice = secured.Admin("alice");

        var denied = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => alice.IncrementalAlterConfigsAsync(Retention("60000")));
        Assert.Equal(KafkaErrorCode.TopicAuthorizationFailed, denied.Results.Single().Error.Code);
        var broker = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => alice.IncrementalAlterConfigsAsync(new()
        {
            [new ConfigResource { Type = ResourceType.Broker, Name = "0" }] = [new ConfigEntry { Name = "log.retention.ms", Value = "1", IncrementalOperation = AlterConfigOpType.Set }],
        }));
        Assert.Equal(KafkaErrorCode.ClusterAuthorizationFailed, broker.Results.Single().Error.Code);
        Assert.True((await alice.DescribeConfigsAsync([resource])).Single().Entries["retention.ms"].IsDefault);

        await GrantAsync(Allow("User:alice", ResourceType.Topic, topic, AclOperation.AlterConfigs));
        await alice.IncrementalAlterConfigsAsync(Retention("60000"));
        Assert.Equal("60000", (await alice.DescribeConfigsAsync([resource])).Single().Entries["retention.ms"].Value);
    }
}
