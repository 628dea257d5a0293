using Confluent.Kafka;
using Hub.Errors;
using Hub.Security;
using Hub.Tests.Security;

namespace Hub.Tests.Transactions;

/// <summary>
/// The SDK's transaction calls through the gateway of a silo process with authorization on: ids and topics a user may
/// not DESCRIBE are left out, describing such an id is TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producers need READ.
/// </summary>
public sealed class TransactionAuthorizationTests(GatewaySilo secured) : IClassFixture<GatewaySilo>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static AclBinding Allow(AclResourceType type, string name, AclOperation operation, string principal) =>
        new(type, name, AclPatternType.Literal, principal, "*", operation, AclPermission.Allow);

    [Fact]
    public async Task A_user_sees_only_the_transactional_ids_and_partitions_it_may_describe()
    {
        var topic = await secured.NewTopicAsync("txn-acl");
        var (visible, hidden) = ($"visible-{topic}", $"hidden-{topic}");
        // The producers connect to the plaintext listener, as User:ANONYMOUS.
        await secured.Admin.Acls.CreateAsync([
            Allow(AclResourceType.TransactionalId, visible, AclOperation.Write, "User:ANONYMOUS"),
            Allow(AclResourceType.TransactionalId, hidden, AclOperation.Write, "User:ANONYMOUS"),
            Allow(AclResourceType.Topic, topic, AclOperation.Write, "User:ANONYMOUS"),
        ]);
        using var first = OpenTransaction(visible);
        using var second = OpenTransaction(hidden);
        await first.ProduceAsync(topic, new Message<Null, string> { Value = "v" });
        await second.ProduceAsync(topic, new Message<Null, string> { Value = "h" });
        await using var alice = await secured.ConnectAsync("alice");

        Assert.DoesNotContain(await alice.Transactions.ListAsync(), t => t.TransactionalId.EndsWith(topic, StringComparison.Ordinal));
        var refused = await Assert.ThrowsAsync<HubException>(() => alice.Transactions.DescribeAsync(visible));
        Assert.Equal(ErrorCode.TransactionalIdAuthorizationFailed, refused.Code);

        await secured.Admin.Acls.CreateAsync([Allow(AclResourceType.TransactionalId, visible, AclOperation.Describe, "User:alice")]);
        var listed = Assert.Single(await alice.Transactions.ListAsync(), t => t.TransactionalId.EndsWith(topic, StringComparison.Ordinal));
        Assert.Equal(visible, listed.TransactionalId);
        // Its partition is of a topic alice may not DESCRIBE.
        Assert.Empty(listed.Partitions);
        Assert.Empty((await alice.Transactions.DescribeAsync(visible)).Partitions);
        Assert.Equal(ErrorCode.TransactionalIdAuthorizationFailed, (await Assert.ThrowsAsync<HubException>(() => alice.Transactions.DescribeAsync(hidden))).Code);

        await secured.Admin.Acls.CreateAsync([Allow(AclResourceType.Topic, topic, AclOperation.Describe, "User:alice")]);
        Assert.Equal([$"{topic}/0"], (await alice.Transactions.DescribeAsync(visible)).Partitions.Select(p => p.ToString()));
        var producers = await Assert.ThrowsAsync<HubException>(() => alice.Transactions.DescribeProducersAsync(topic));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, producers.Code);
        await secured.Admin.Acls.CreateAsync([Allow(AclResourceType.Topic, topic, AclOperation.Read, "User:alice")]);
        Assert.Equal(2, (await alice.Transactions.DescribeProducersAsync(topic)).Single().Producers.Length);
    }

    private IProducer<Null, string> OpenTransaction(string transactionalId)
    {
        var producer = new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = $"127.0.0.1:{secured.Silo.KafkaPort}", TransactionalId = transactionalId, LingerMs = 5, MessageTimeoutMs = 20000,
        }).Build();
        producer.InitTransactions(Timeout);
        producer.BeginTransaction();
        return producer;
    }
}
