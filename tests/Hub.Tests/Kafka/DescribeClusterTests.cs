using Confluent.Kafka;
using Hub.Security;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Tests.Kafka;

/// <summary>DescribeCluster (KIP-700) over real TCP: what Metadata says of the cluster, and the cluster operations when asked.</summary>
[Collection(KafkaCollection.Name)]
public sealed class DescribeClusterTests(KafkaCluster kafka)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DescribeCluster_names_the_cluster_and_its_live_brokers_as_Metadata_does(bool includeOperations)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();
        var described = await admin.DescribeClusterAsync(); // librdkafka asks with Metadata
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);

        await connection.SendAsync(ApiKey.DescribeCluster, 0, 60, [includeOperations ? (byte)1 : (byte)0, 0], flexibleHeader: true);
        var response = await connection.ReceiveAsync(TimeSpan.FromSeconds(10));

        Assert.NotNull(response);
        var reader = new ProtocolReader(response.AsMemory(5), flexible: true); // correlation id, header's tagged fields
        Assert.Equal(0, reader.ReadInt32()); // throttle time
        Assert.Equal(0, reader.ReadInt16());
        Assert.Null(reader.ReadNullableString());
        Assert.Equal(described.ClusterId, reader.ReadString());
        var controller = reader.ReadInt32();
        Assert.Contains(described.Nodes, n => n.Id == controller); // a live broker
        var brokers = new List<(int, string, int)>();
        for (var i = reader.ReadArrayLength(); i > 0; i--)
        {
            brokers.Add((reader.ReadInt32(), reader.ReadString(), reader.ReadInt32()));
            Assert.Null(reader.ReadNullableString()); // rack
            reader.SkipTaggedFields();
        }
        Assert.Equal(described.Nodes.Select(n => (n.Id, n.Host, n.Port)).Order(), brokers.Order());
        // Without an authorizer every operation is allowed, as Kafka reports it.
        AclOperation[] all = [AclOperation.Create, AclOperation.ClusterAction, AclOperation.DescribeConfigs, AclOperation.AlterConfigs,
            AclOperation.IdempotentWrite, AclOperation.Alter, AclOperation.Describe];
        Assert.Equal(includeOperations ? all.Sum(o => 1 << (int)o) : int.MinValue, reader.ReadInt32());
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
    }

    /// <summary>librdkafka asks Metadata v10 for the cluster's operations (librdkafka's 0081 expected 7, got none).</summary>
    [Fact]
    public async Task Metadata_reports_the_cluster_operations_librdkafka_asks_it_for()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();

        var described = await admin.DescribeClusterAsync(new Confluent.Kafka.Admin.DescribeClusterOptions { IncludeAuthorizedOperations = true });

        // Without an authorizer every cluster operation is allowed, as Kafka reports it.
        Confluent.Kafka.Admin.AclOperation[] all =
        [
            Confluent.Kafka.Admin.AclOperation.Create, Confluent.Kafka.Admin.AclOperation.ClusterAction,
            Confluent.Kafka.Admin.AclOperation.DescribeConfigs, Confluent.Kafka.Admin.AclOperation.AlterConfigs,
            Confluent.Kafka.Admin.AclOperation.IdempotentWrite, Confluent.Kafka.Admin.AclOperation.Alter, Confluent.Kafka.Admin.AclOperation.Describe,
        ];
        Assert.Equal(all.Order(), described.AuthorizedOperations.Order());
    }
}
