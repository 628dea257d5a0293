using Confluent.Kafka;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Cluster;
using Hub.Tests.Kafka;
using Hub.Topics;
using Xunit.Abstractions;

namespace Hub.Tests.Transactions;

/// <summary>
/// A transaction whose coordinator's silo is killed (SIGKILL, its producer gone with it) is not left hanging: the
/// coordinator comes back on another silo, aborts it past its timeout, and read_committed readers move on.
/// </summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class TransactionRecoveryTests(ITestOutputHelper output)
{
    private const int Brokers = 3;
    private const string Topic = "txn-recovery";
    private const int TransactionTimeoutMs = 3000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task An_open_transaction_whose_coordinator_silo_died_is_aborted_and_releases_read_committed_readers()
    {
        await using var cluster = await RedisSiloCluster.StartAsync(Brokers, new Dictionary<string, string>
        {
            ["Hub:TransactionTimeoutCheckInterval"] = "00:00:01",
        });
        var silos = cluster.Silos;
        try
        {
            int leader;
            await using (var client = await silos[0].ConnectAsync())
            {
                var created = await client.Admin.CreateTopicAsync(Topic, 1,
                    new Dictionary<string, string> { [TopicConfig.MinInSyncReplicasKey] = "2" }, replicationFactor: Brokers);
                leader = created.Partitions[0].Leader;
            }
            // The coordinator lives where the transactional producer's coordinator requests arrive: a broker that does not lead.
            var coordinator = silos.First(s => s.BrokerId != leader);
            var transactionalId = "recovery-" + Guid.NewGuid().ToString("N");
            using (var toCoordinator = await RawKafkaConnection.ConnectAsync($"127.0.0.1:{coordinator.KafkaPort}"))
            using (var toLeader = await RawKafkaConnection.ConnectAsync($"127.0.0.1:{silos[leader].KafkaPort}"))
            {
                await toCoordinator.SendAsync(ApiKey.InitProducerId, 1, 1, RequestBodies.InitTransactionalProducerId(transactionalId, TransactionTimeoutMs));
                var init = new ProtocolReader((await toCoordinator.ReceiveAsync(Timeout))!);
                Assert.Equal(1, init.ReadInt32());
                init.ReadInt32(); // throttle
                Assert.Equal(0, init.ReadInt16());
                var (producerId, epoch) = (init.ReadInt64(), init.ReadInt16());

                await toCoordinator.SendAsync(ApiKey.AddPartitionsToTxn, 1, 2, RequestBodies.AddPartitionsToTxn(transactionalId, producerId, epoch, Topic, 0));
                var added = new ProtocolReader((await toCoordinator.ReceiveAsync(Timeout))!);
                Assert.Equal(2, added.ReadInt32());
                added.ReadInt32(); // throttle
                Assert.Equal(1, added.ReadArrayLength());
                Assert.Equal(Topic, added.ReadString());
                Assert.Equal(1, added.ReadArrayLength());
                Assert.Equal(0, added.ReadInt32());
                Assert.Equal(0, added.ReadInt16());

                var (error, offset) = await toLeader.ProduceAsync(Topic, IdempotentBatches.Create(producerId, epoch, 0, transactional: true), transactionalId: transactionalId);
                Assert.Equal((0, 0L), (error, offset));
            }

            await coordinator.KillAsync();
            var survivors = string.Join(",", silos.Where(s => s != coordinator).Select(s => $"127.0.0.1:{s.KafkaPort}"));
            using (var plain = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = survivors, MessageTimeoutMs = 60000 }).Build())
                await plain.ProduceAsync(new TopicPartition(Topic, 0), new Message<Null, string> { Value = "after" });

            using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
            {
                BootstrapServers = survivors, GroupId = "unused", EnableAutoCommit = false, IsolationLevel = IsolationLevel.ReadCommitted,
            }).Build();
            consumer.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
            var read = consumer.Consume(Timeout) ?? throw new TimeoutException("the open transaction still holds read_committed readers back");
            // Offset 0 is the aborted record; the abort marker is at 1 or 2, as it came before or after "after".
            Assert.Equal("after", read.Message.Value);
            Assert.InRange(read.Offset.Value, 1, 2);
        }
        catch
        {
            foreach (var silo in silos) output.WriteLine($"--- broker {silo.BrokerId}:\n{silo.Output}");
            throw;
        }
    }
}
