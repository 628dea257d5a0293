using Hub.Client;
using Hub.Errors;
using Hub.Security;
using Hub.Tests.Cluster;
using Hub.Tests.Groups;
using Hub.Tests.Support;
using Hub.Tests.Kafka;
using Hub.Topics;

namespace Hub.Tests.Security;

/// <summary>A silo process with authorization on, its bootstrap super user admin, and alice; SDK clients reach it over TCP.</summary>
public sealed class GatewaySilo : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public SiloProcess Silo { get; private set; } = null!;

    /// <summary>An SDK client as the super user admin.</summary>
    public HubClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Silo = await SiloProcess.StartAsync(Path.Combine(_data.Path, "silo"), environment: await BootstrapAdmin.SiloEnvironmentAsync(_data.Path));
        Admin = await ConnectAsync(BootstrapAdmin.User);
        await Admin.Users.SetPasswordAsync("alice", "alice-secret");
    }

    public async Task DisposeAsync()
    {
        await Admin.DisposeAsync();
        await Silo.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>A client as <paramref name="user"/> (null: no user) with <paramref name="password"/>, by default the user's own.</summary>
    public Task<HubClient> ConnectAsync(string? user, string? password = null) => HubClient.ConnectAsync(new HubClientOptions
    {
        Gateways = [$"127.0.0.1:{Silo.GatewayPort}"],
        ConnectTimeout = TimeSpan.FromSeconds(30),
        Username = user,
        Password = user is null ? null : password ?? $"{user}-secret",
    });

    public async Task<string> NewTopicAsync(string prefix)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        await Admin.Admin.CreateTopicAsync(topic, 1);
        return topic;
    }
}

/// <summary>
/// SDK calls through the Orleans gateway, from clients of their own with a user or none: the same ACLs and Kafka
/// error codes as a Kafka client's requests, and a wrong password refused.
/// </summary>
public sealed class GatewayAuthorizationTests(GatewaySilo secured) : IClassFixture<GatewaySilo>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static AclBinding Allow(AclResourceType type, string name, AclOperation operation, string principal = "User:alice") =>
        new(type, name, AclPatternType.Literal, principal, "*", operation, AclPermission.Allow);

    private static ProducerRecord Record(string value) => new() { Value = System.Text.Encoding.UTF8.GetBytes(value) };

    [Fact]
    public async Task A_user_without_ACLs_is_refused_with_Kafkas_codes_and_may_do_what_it_is_granted_once_the_silo_has_the_ACLs()
    {
        var topic = await secured.NewTopicAsync("sdk-acl");
        await using var alice = await secured.ConnectAsync("alice");

        var create = await Assert.ThrowsAsync<HubException>(() => alice.Admin.CreateTopicAsync(KafkaCluster.NewTopic("alice-own"), 1));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, create.Code);
        Assert.Contains("User:alice may not CREATE topic", create.Message);
        Assert.DoesNotContain(await alice.Admin.ListTopicsAsync(), t => t.Name == topic);
        var describe = await Assert.ThrowsAsync<HubException>(() => alice.Admin.DescribeTopicAsync(topic));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, describe.Code);
        await using (var producer = alice.CreateProducer())
        {
            var produce = await Assert.ThrowsAsync<HubException>(() => producer.ProduceAsync(topic, Record("refused")).WaitAsync(Timeout));
            Assert.Equal(ErrorCode.TopicAuthorizationFailed, produce.Code);
        }
        var group = await Assert.ThrowsAsync<HubException>(() => alice.Admin.DescribeGroupAsync("alice-group"));
        Assert.Equal(ErrorCode.GroupAuthorizationFailed, group.Code);
        var users = await Assert.ThrowsAsync<HubException>(() => alice.Users.SetPasswordAsync("mallory", "mallory-secret"));
        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, users.Code);
        Assert.Equal(0, (await secured.Admin.Admin.DescribeTopicAsync(topic)).Partitions[0].HighWatermark);

        await secured.Admin.Acls.CreateAsync([Allow(AclResourceType.Topic, topic, AclOperation.Write), Allow(AclResourceType.Topic, topic, AclOperation.Read)]);
        // The silo holding the ACLs (the only one) checks with them as soon as the change is answered.
        Assert.Contains(await alice.Admin.ListTopicsAsync(), t => t.Name == topic);
        await using (var producer = alice.CreateProducer())
            Assert.Equal(0, (await producer.ProduceAsync(topic, Record("granted")).WaitAsync(Timeout)).Offset);
        await using var consumer = alice.CreateConsumer();
        await consumer.AssignAsync(topic, 0, 0);
        using var stop = new CancellationTokenSource(Timeout);
        await foreach (var record in consumer.ConsumeAsync(stop.Token))
        {
            Assert.Equal("granted", System.Text.Encoding.UTF8.GetString(record.Record.Value!.Value.Span));
            break;
        }
        // WRITE and READ on one topic give nothing else.
        var other = await Assert.ThrowsAsync<HubException>(() => alice.Admin.DeleteTopicAsync(topic));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, other.Code);
    }

    [Fact]
    public async Task Altering_a_topics_configs_through_the_sdk_needs_alter_configs_on_it()
    {
        var topic = await secured.NewTopicAsync("sdk-alter");
        await using var alice = await secured.ConnectAsync("alice");
        TopicConfigAlteration[] retention = [new("retention.ms", TopicConfigOperation.Set, "60000")];
        await secured.Admin.Acls.CreateAsync([Allow(AclResourceType.Topic, topic, AclOperation.Alter)]);

        var refused = await Assert.ThrowsAsync<HubException>(() => alice.Admin.AlterTopicConfigAsync(topic, retention));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, refused.Code);
        Assert.Contains("User:alice may not ALTER_CONFIGS topic", refused.Message);
        Assert.Equal(TopicConfig.Default.RetentionMs, (await secured.Admin.Admin.DescribeTopicAsync(topic)).Metadata.Config.RetentionMs);

        await secured.Admin.Acls.CreateAsync([Allow(AclResourceType.Topic, topic, AclOperation.AlterConfigs)]);
        await alice.Admin.AlterTopicConfigAsync(topic, retention);
        Assert.Equal(60000, (await secured.Admin.Admin.DescribeTopicAsync(topic)).Metadata.Config.RetentionMs);
    }

    [Fact]
    public async Task A_transactional_producer_needs_write_on_its_transactional_id_and_read_on_the_group_it_commits_for()
    {
        var topic = await secured.NewTopicAsync("sdk-txn-acl");
        var (id, group) = ($"alice-tx-{topic}", $"alice-group-{topic}");
        await using var alice = await secured.ConnectAsync("alice");
        await secured.Admin.Acls.CreateAsync([Allow(AclResourceType.Topic, topic, AclOperation.Write)]);

        await using (var refused = alice.CreateProducer(new ProducerOptions { TransactionalId = id }))
        {
            var init = await Assert.ThrowsAsync<HubException>(() => refused.InitTransactionsAsync());
            Assert.Equal(ErrorCode.TransactionalIdAuthorizationFailed, init.Code);
            Assert.Contains($"User:alice may not WRITE transactional id '{id}'", init.Message);
        }

        await secured.Admin.Acls.CreateAsync([Allow(AclResourceType.TransactionalId, id, AclOperation.Write)]);
        await using var producer = alice.CreateProducer(new ProducerOptions { TransactionalId = id });
        await producer.InitTransactionsAsync();
        producer.BeginTransaction();
        await producer.ProduceAsync(topic, Record("in a transaction")).WaitAsync(Timeout);
        var offsets = await Assert.ThrowsAsync<HubException>(() =>
            producer.SendOffsetsToTransactionAsync([new Hub.Groups.OffsetCommitEntry(topic, 0, 1)], group));
        Assert.Equal(ErrorCode.GroupAuthorizationFailed, offsets.Code);
        await producer.CommitTransactionAsync();

        // A transactional batch appended without naming its transactional id is refused, as Kafka refuses a Produce without one.
        var leader = (await alice.Router.GetTopicAsync(topic)).LeaderKey(0);
        var bare = await Assert.ThrowsAsync<HubException>(() => alice.Grains.GetGrain<Hub.Grains.IPartitionGrain>(leader)
            .Append(Hub.Partitions.PooledBatches.Borrow(IdempotentBatches.Create(producerId: 99, epoch: 0, baseSequence: 0, transactional: true))));
        Assert.Equal(ErrorCode.TransactionalIdAuthorizationFailed, bare.Code);
        var (_, producers) = Assert.Single(await secured.Admin.Transactions.DescribeProducersAsync(topic));
        Assert.DoesNotContain(producers, p => p.ProducerId == 99);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_a_client_without_a_user_is_anonymous()
    {
        var topic = await secured.NewTopicAsync("sdk-anonymous");
        await using (var wrong = await secured.ConnectAsync("alice", "not-alices-password"))
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => wrong.Admin.ListTopicsAsync());
            Assert.Equal(ErrorCode.SaslAuthenticationFailed, refused.Code);
        }
        await using var anonymous = await secured.ConnectAsync(null);
        Assert.DoesNotContain(await anonymous.Admin.ListTopicsAsync(), t => t.Name == topic);
        var acl = await Assert.ThrowsAsync<HubException>(() => anonymous.Acls.CreateAsync([Allow(AclResourceType.Topic, "*", AclOperation.All, "User:ANONYMOUS")]));
        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, acl.Code);
        Assert.Contains("User:ANONYMOUS may not ALTER the cluster", acl.Message);
    }
}
