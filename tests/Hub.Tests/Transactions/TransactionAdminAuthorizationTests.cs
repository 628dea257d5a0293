using System.Text;
using Confluent.Kafka;
using Hub.Errors;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Kafka;
using Hub.Tests.Security;
using static Hub.Tests.Transactions.TransactionAdminWire;
using AclOperation = Hub.Security.AclOperation;
using AclResourceType = Hub.Security.AclResourceType;

namespace Hub.Tests.Transactions;

/// <summary>
/// ListTransactions, DescribeTransactions and DescribeProducers on the Kafka listener of a silo with authorization on,
/// from a raw connection logged in as alice (SASL PLAIN): Kafka's rights and error codes.
/// </summary>
public sealed class TransactionAdminAuthorizationTests(AuthorizedCluster secured) : IClassFixture<AuthorizedCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Hub.Security.AclBinding Allow(AclResourceType type, string name, AclOperation operation, string user) =>
        new(type, name, Hub.Security.AclPatternType.Literal, $"User:{user}", "*", operation, Hub.Security.AclPermission.Allow);

    [Fact]
    public async Task Ids_partitions_and_producers_need_Kafkas_rights()
    {
        var topic = await secured.NewTopicAsync("txn-wire-acl");
        var (visible, hidden) = ($"visible-{topic}", $"hidden-{topic}");
        await secured.Cluster.Client.Acls.CreateAsync([
            Allow(AclResourceType.TransactionalId, visible, AclOperation.Write, "bob"),
            Allow(AclResourceType.TransactionalId, hidden, AclOperation.Write, "bob"),
            Allow(AclResourceType.Topic, topic, AclOperation.Write, "bob"),
        ]);
        using var first = await OpenTransactionAsync(visible, topic);
        using var second = await OpenTransactionAsync(hidden, topic);
        using var alice = await LoginAsync("alice");

        Assert.DoesNotContain((await ListAsync(alice, 1, [], [], -1)).Transactions, t => t.TransactionalId.EndsWith(topic, StringComparison.Ordinal));
        Assert.Equal(ErrorCode.TransactionalIdAuthorizationFailed, (await DescribeAsync(alice, visible)).Single().Error);
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, (await DescribeProducersAsync(alice, (topic, [0]))).Single().Error);

        await secured.Cluster.Client.Acls.CreateAsync([
            Allow(AclResourceType.TransactionalId, visible, AclOperation.Describe, "alice"),
            Allow(AclResourceType.Topic, topic, AclOperation.Describe, "alice"),
        ]);
        var listed = Assert.Single((await ListAsync(alice, 1, [], [], -1)).Transactions, t => t.TransactionalId.EndsWith(topic, StringComparison.Ordinal));
        Assert.Equal((visible, "Ongoing"), (listed.TransactionalId, listed.State));
        var described = await DescribeAsync(alice, visible, hidden);
        Assert.Equal([$"{topic}:0"], described[0].Topics.Select(t => $"{t.Topic}:{string.Join(",", t.Partitions)}"));
        Assert.Equal(ErrorCode.TransactionalIdAuthorizationFailed, described[1].Error);
        // DESCRIBE on the topic is not enough for its producers: Kafka asks for READ.
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, (await DescribeProducersAsync(alice, (topic, [0]))).Single().Error);

        await secured.Cluster.Client.Acls.CreateAsync([Allow(AclResourceType.Topic, topic, AclOperation.Read, "alice")]);
        var (error, producers) = (await DescribeProducersAsync(alice, (topic, [0]))).Single();
        Assert.Equal((ErrorCode.None, 2), (error, producers.Count));
    }

    private async Task<IProducer<Null, string>> OpenTransactionAsync(string transactionalId, string topic)
    {
        var producer = new ProducerBuilder<Null, string>(new ProducerConfig(secured.As("bob"))
        {
            TransactionalId = transactionalId, LingerMs = 5, MessageTimeoutMs = 20000,
        }).Build();
        producer.InitTransactions(Timeout);
        producer.BeginTransaction();
        await producer.ProduceAsync(topic, new Message<Null, string> { Value = transactionalId });
        return producer;
    }

    /// <summary>A raw connection to the SASL listener, logged in with PLAIN (SaslHandshake v1, SaslAuthenticate v1).</summary>
    private async Task<RawKafkaConnection> LoginAsync(string user)
    {
        var connection = await RawKafkaConnection.ConnectAsync(secured.Bootstrap);
        var handshake = Body(await CallAsync(connection, ApiKey.SaslHandshake, 1, Encode(false, w => w.WriteString("PLAIN")), flexible: false), flexible: false);
        Assert.Equal(0, handshake.ReadInt16());
        var token = Encoding.UTF8.GetBytes($"\0{user}\0{user}-secret");
        var authenticated = Body(await CallAsync(connection, ApiKey.SaslAuthenticate, 1, Encode(false, w => w.WriteBytes(token)), flexible: false), flexible: false);
        Assert.Equal(0, authenticated.ReadInt16());
        return connection;
    }
}
