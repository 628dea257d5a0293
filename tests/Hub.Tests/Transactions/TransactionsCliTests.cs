using Confluent.Kafka;
using Hub.Tests.Cluster;
using Hub.Tests.Support;
using Hub.Transactions;

namespace Hub.Tests.Transactions;

/// <summary>
/// <c>hub transactions list|describe|producers</c> against a silo process, with transactions a Confluent.Kafka
/// producer leaves committed and open; the ids the directory knows survive a restart of the silo.
/// </summary>
public sealed class TransactionsCliTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Transactions_are_listed_described_and_their_producers_shown_and_the_ids_outlive_a_restart()
    {
        using var data = new TempDirectory();
        var silo = await SiloProcess.StartAsync(data.Path);
        try
        {
            var topic = "cli-txn-" + Guid.NewGuid().ToString("N")[..8];
            await using (var client = await silo.ConnectAsync()) await client.Admin.CreateTopicAsync(topic, 1);
            var (committedId, openId) = ($"committed-{topic}", $"open-{topic}");
            using var committed = Producer(silo, committedId);
            committed.InitTransactions(Timeout);
            committed.BeginTransaction();
            await committed.ProduceAsync(topic, new Message<Null, string> { Value = "kept" }); // offset 0, its marker 1
            committed.CommitTransaction(Timeout);
            using var open = Producer(silo, openId);
            open.InitTransactions(Timeout);
            open.BeginTransaction();
            await open.ProduceAsync(topic, new Message<Null, string> { Value = "pending" }); // offset 2

            var listed = Rows(await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "transactions", "list"));
            Assert.Equal(["TRANSACTIONAL-ID", "PRODUCER-ID", "EPOCH", "STATE"], listed[0]);
            Assert.Equal("CompleteCommit", listed.Single(r => r[0] == committedId)[3]);
            Assert.Equal("Ongoing", listed.Single(r => r[0] == openId)[3]);
            var ongoing = Rows(await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "transactions", "list", "--state", "ongoing"));
            Assert.Equal([openId], ongoing.Skip(1).Select(r => r[0]));

            var described = Rows(await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "transactions", "describe", openId));
            Assert.Equal(["TRANSACTIONAL-ID", "PRODUCER-ID", "EPOCH", "STATE", "TIMEOUT-MS", "START-TIME", "DURATION-MS", "PARTITIONS"], described[0]);
            Assert.Equal([openId, "0", "Ongoing", "60000"], described[1].Where((_, i) => i is 0 or 2 or 3 or 4));
            Assert.Equal($"{topic}/0", described[1][7]);
            var openProducerId = described[1][1];

            var producers = Rows(await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "transactions", "producers", topic));
            Assert.Equal(["PARTITION", "PRODUCER-ID", "EPOCH", "LAST-SEQUENCE", "LAST-APPEND", "TXN-START-OFFSET"], producers[0]);
            Assert.Equal(2, producers.Count - 1);
            Assert.Equal(["0", openProducerId, "0", "0", "2"], producers.Single(r => r[1] == openProducerId).Where((_, i) => i != 4));
            Assert.Equal("-", producers.Single(r => r[1] != openProducerId && r[0] == "0")[5]);

            var unknown = await HubCli.TryRunAsync(silo, null, null, HubCli.Timeout, HubCli.ConnectTimeoutSeconds, "transactions", "describe", "never-" + topic);
            Assert.NotEqual(0, unknown.ExitCode);
            Assert.Contains("was never initialized", unknown.Errors);

            open.AbortTransaction(Timeout);
            await silo.StopAsync();
            silo = await silo.RestartAsync();
            await using var restarted = await silo.ConnectAsync();
            var known = (await restarted.Transactions.ListAsync()).ToDictionary(t => t.TransactionalId);
            // A fresh cluster's first producer id is 0 at epoch 0: values the grain storage's JSON must not lose.
            Assert.Equal((TransactionStatus.CompleteCommit, 0L, (short)0), (known[committedId].State, known[committedId].ProducerId, known[committedId].ProducerEpoch));
            // The producer aborted its transaction itself: no epoch bump.
            Assert.Equal((TransactionStatus.CompleteAbort, long.Parse(openProducerId), (short)0), (known[openId].State, known[openId].ProducerId, known[openId].ProducerEpoch));
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    private static List<string[]> Rows(string[] lines) => lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();

    private static IProducer<Null, string> Producer(SiloProcess silo, string transactionalId) =>
        new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = $"127.0.0.1:{silo.KafkaPort}", TransactionalId = transactionalId, LingerMs = 5, MessageTimeoutMs = 20000,
        }).Build();
}
