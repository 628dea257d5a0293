using Hub.Batches;
using Hub.Grains;
using Hub.Groups;
using Hub.Partitions;
using Hub.Security;
using Hub.Silo.Security;
using Hub.Topics;
using static Hub.Silo.Security.GatewayCallPolicy;

namespace Hub.Tests.Security;

/// <summary>What each SDK call needs, as the Kafka API doing the same needs it.</summary>
public sealed class GatewayCallPolicyTests
{
    private static Decision Of<TGrain>(string method, string key, params object?[] arguments) =>
        For(typeof(TGrain), method, key, i => arguments[i]);

    /// <summary>The checks as "OPERATION TYPE name" alternatives joined by " or ", one string per check.</summary>
    private static string[] Checks(Decision decision) =>
        decision.Checks.Select(check => string.Join(" or ", check.Select(r => $"{r.Operation} {r.Type} {r.Name ?? "(any)"}"))).ToArray();

    [Fact]
    public void Partition_calls_need_write_read_or_describe_on_the_topic_of_the_grains_key()
    {
        var key = PartitionKey.Format("orders", 3, brokerId: 1);
        Assert.Equal(["Write Topic orders"], Checks(Of<IPartitionGrain>(nameof(IPartitionGrain.Append), key, Batch(transactional: false))));
        Assert.Equal(["Read Topic orders"], Checks(Of<IPartitionGrain>(nameof(IPartitionGrain.Fetch), key)));
        Assert.Equal(["Describe Topic orders"], Checks(Of<IPartitionGrain>(nameof(IPartitionGrain.ListOffset), key)));
        Assert.Equal(["Describe Topic orders"], Checks(Of<IPartitionGrain>(nameof(IPartitionGrain.GetState), key)));
        Assert.Equal(["Read Topic orders"], Checks(Of<IPartitionGrain>(nameof(IPartitionGrain.DescribeProducers), key)));
        Assert.Equal(["Delete Topic orders"], Checks(Of<IPartitionGrain>(nameof(IPartitionGrain.DeleteRecords), key)));
    }

    [Fact]
    public void A_transactional_batch_needs_write_on_the_transactional_id_the_call_carries_as_kafka_produce_does()
    {
        var key = PartitionKey.Format("orders", 3, brokerId: 1);
        Assert.Equal(["Write Topic orders", "Write TransactionalId billing-tx"],
            Checks(For(typeof(IPartitionGrain), nameof(IPartitionGrain.Append), key, _ => Batch(transactional: true), "billing-tx")));
        // Without an id only an ACL on every transactional id (*) lets it through.
        Assert.Equal(["Write Topic orders", "Write TransactionalId "],
            Checks(For(typeof(IPartitionGrain), nameof(IPartitionGrain.Append), key, _ => Batch(transactional: true))));
        Assert.Equal(["Write Topic orders"],
            Checks(For(typeof(IPartitionGrain), nameof(IPartitionGrain.Append), key, _ => Batch(transactional: false), "billing-tx")));
    }

    [Fact]
    public void Transaction_coordinator_calls_need_write_on_the_id_and_what_addpartitions_and_txnoffsetcommit_need()
    {
        Assert.Equal(["Write TransactionalId billing-tx"],
            Checks(Of<ITransactionCoordinatorGrain>(nameof(ITransactionCoordinatorGrain.InitProducerId), "billing-tx", 60000, -1L, (short)-1)));
        Assert.Equal(["Write TransactionalId billing-tx"],
            Checks(Of<ITransactionCoordinatorGrain>(nameof(ITransactionCoordinatorGrain.EndTransaction), "billing-tx", 1L, (short)0, true)));
        Assert.Equal(["Write TransactionalId billing-tx", "Write Topic orders", "Write Topic refunds"],
            Checks(Of<ITransactionCoordinatorGrain>(nameof(ITransactionCoordinatorGrain.AddPartitions), "billing-tx", 1L, (short)0,
                new TopicPartition[] { new("orders", 0), new("refunds", 0), new("orders", 1) })));
        Assert.Equal(["Write TransactionalId billing-tx", "Read Group billing"],
            Checks(Of<ITransactionCoordinatorGrain>(nameof(ITransactionCoordinatorGrain.AddOffsets), "billing-tx", 1L, (short)0, "billing")));
        var offsets = new OffsetCommitRequest { Offsets = [new OffsetCommitEntry("orders", 0, 5), new OffsetCommitEntry("orders", 1, 5)] };
        Assert.Equal(["Write TransactionalId billing-tx", "Read Group billing", "Read Topic orders"],
            Checks(Of<ITransactionCoordinatorGrain>(nameof(ITransactionCoordinatorGrain.SendOffsets), "billing-tx", 1L, (short)0, "billing", offsets)));
    }

    private static PooledBatches Batch(bool transactional)
    {
        using var builder = new RecordBatchBuilder(maxSizeBytes: 1024);
        builder.Append(0, null, new byte[] { 1 });
        return PooledBatches.Borrow(builder.Build(new ProducerStamp(5, 0, 0, transactional)).ToArray());
    }

    [Fact]
    public void Group_calls_need_the_group_and_a_commit_needs_read_on_each_topic_it_names()
    {
        Assert.Equal(["Read Group billing"], Checks(Of<IConsumerGroupGrain>(nameof(IConsumerGroupGrain.Heartbeat), "billing")));
        Assert.Equal(["Read Group billing"], Checks(Of<IConsumerGroupGrain>(nameof(IConsumerGroupGrain.JoinGroup), "billing")));
        var commit = new OffsetCommitRequest { Offsets = [new OffsetCommitEntry("orders", 0, 5), new OffsetCommitEntry("orders", 1, 5), new OffsetCommitEntry("refunds", 0, 1)] };
        Assert.Equal(["Read Group billing", "Read Topic orders", "Read Topic refunds"],
            Checks(Of<IConsumerGroupGrain>(nameof(IConsumerGroupGrain.CommitOffsets), "billing", commit)));
        var fetch = Of<IConsumerGroupGrain>(nameof(IConsumerGroupGrain.FetchOffsets), "billing", new object?[] { null });
        Assert.Equal(["Describe Group billing"], Checks(fetch));
        Assert.Equal(Trim.CommittedOffsets, fetch.Trim);
        Assert.Equal(["Describe Group billing"], Checks(Of<IConsumerGroupGrain>(nameof(IConsumerGroupGrain.Describe), "billing")));
        Assert.Equal(["Delete Group billing"], Checks(Of<IConsumerGroupGrain>(nameof(IConsumerGroupGrain.DeleteGroup), "billing")));
        Assert.Equal(["Delete Group billing", "Read Topic orders"], Checks(Of<IConsumerGroupGrain>(nameof(IConsumerGroupGrain.DeleteOffsets), "billing",
            new object[] { new TopicPartition[] { new("orders", 0), new("orders", 1) } })));
        Assert.Equal(["Read Group billing", "Read Topic orders"],
            Checks(Of<IKeyOrderedPartitionGrain>(nameof(IKeyOrderedPartitionGrain.Poll), KeyOrderedPartitionKey.Format("billing", "orders", 2))));
    }

    [Fact]
    public void Controller_calls_need_what_the_matching_kafka_apis_need_and_listings_are_trimmed()
    {
        Assert.Equal(["Create Topic orders or Create Cluster kafka-cluster"],
            Checks(Of<IClusterControllerGrain>(nameof(IClusterControllerGrain.CreateTopic), "0", "orders", 3, null, (short)-1)));
        Assert.Equal(["Delete Topic orders"], Checks(Of<IClusterControllerGrain>(nameof(IClusterControllerGrain.DeleteTopic), "0", "orders")));
        Assert.Equal(["Alter Topic orders"], Checks(Of<IClusterControllerGrain>(nameof(IClusterControllerGrain.AddPartitions), "0", "orders", 6)));
        Assert.Equal(["Describe Topic orders"], Checks(Of<IClusterControllerGrain>(nameof(IClusterControllerGrain.GetTopic), "0", "orders")));
        Assert.Equal(["AlterConfigs Topic orders", "AlterConfigs Topic refunds"], Checks(Of<IClusterControllerGrain>(nameof(IClusterControllerGrain.AlterTopicConfigs), "0",
            new TopicConfigChange[] { new("orders", []), new("refunds", []), new("orders", []) }, false)));
        Assert.Equal(Trim.Topics, Of<IClusterControllerGrain>(nameof(IClusterControllerGrain.ListTopics), "0").Trim);
        Assert.Empty(Of<IClusterControllerGrain>(nameof(IClusterControllerGrain.ListTopics), "0").Checks);
        Assert.Equal(["AlterConfigs Cluster kafka-cluster"], Checks(Of<IClusterControllerGrain>(nameof(IClusterControllerGrain.AlterClientQuotas), "0", null)));
        Assert.Equal(["Alter Cluster kafka-cluster"], Checks(Of<IClusterControllerGrain>(nameof(IClusterControllerGrain.ElectLeaders), "0", true, null)));
        Assert.Equal(Trim.Groups, Of<IGroupDirectoryGrain>(nameof(IGroupDirectoryGrain.ListGroups), "0").Trim);
    }

    [Fact]
    public void Transactions_are_listed_trimmed_to_describable_ids_and_described_with_describe_on_the_id()
    {
        var list = Of<ITransactionDirectoryGrain>(nameof(ITransactionDirectoryGrain.ListTransactions), "0");
        Assert.Empty(list.Checks);
        Assert.Equal(Trim.Transactions, list.Trim);
        var describe = Of<ITransactionDirectoryGrain>(nameof(ITransactionDirectoryGrain.DescribeTransaction), "0", "billing-tx");
        Assert.Equal(["Describe TransactionalId billing-tx"], Checks(describe));
        Assert.Equal(Trim.Transactions, describe.Trim);
    }

    [Fact]
    public void Producer_ids_acls_and_users_need_cluster_rights_and_unknown_interfaces_are_for_administrators()
    {
        Assert.Equal(["Write Topic (any) or IdempotentWrite Cluster kafka-cluster"], Checks(Of<IProducerIdGrain>(nameof(IProducerIdGrain.Allocate), "0")));
        Assert.Equal(["Alter Cluster kafka-cluster"], Checks(Of<IAclGrain>(nameof(IAclGrain.Create), "0", null)));
        Assert.Equal(["Describe Cluster kafka-cluster"], Checks(Of<IAclGrain>(nameof(IAclGrain.Describe), "0", null)));
        Assert.Equal(["Alter Cluster kafka-cluster"], Checks(Of<IUserCredentialsGrain>(nameof(IUserCredentialsGrain.Alter), "0", null, null)));
        Assert.Equal(["Alter Cluster kafka-cluster"], Checks(Of<Orleans.Runtime.IManagementGrain>("ForceActivationCollection", "0")));
        Assert.Equal(["Alter Cluster kafka-cluster"], Checks(Of<IDisposable>("Dispose", "0")));
        Assert.False(ServesOrleansClients(typeof(Orleans.Runtime.IManagementGrain)));
        Assert.False(ServesOrleansClients(typeof(IPartitionGrain)));
        Assert.True(ServesOrleansClients(typeof(IGrainWithIntegerKey))); // an interface of Orleans' own assembly
    }
}
