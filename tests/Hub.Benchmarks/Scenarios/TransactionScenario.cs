using Hub.Benchmarks.Load;
using Hub.Benchmarks.Measure;

namespace Hub.Benchmarks.Scenarios;

/// <summary>
/// Kafka transactions through Confluent.Kafka, 100 B records on 4 partitions: transactions of 100 and of 10,000
/// records, beside the same client's idempotent produce without transactions, in one run. Each commit costs the
/// coordinator three stored state changes and a marker per partition, so small transactions show that cost.
/// </summary>
public static class TransactionScenario
{
    /// <summary>Transactions of 100 records run this many at most: each waits for its commit, so they set the run's length.</summary>
    private const int MaxSmallTransactions = 2_000;

    public static async Task RunAsync(BenchContext context)
    {
        var (bootstrap, pids) = (context.KafkaBootstrap, context.SiloPids);
        var records = Sizes.Records(context, Sizes.Small);

        var topic = "txn-baseline";
        await context.Client.Admin.CreateTopicAsync(topic, Sizes.Partitions);
        var config = KafkaLoad.ProducerConfig(bootstrap);
        config.EnableIdempotence = true;
        var idempotent = await KafkaLoad.ProduceAsync(bootstrap, topic, records, Sizes.Small, pids, config);
        await ThroughputScenarios.CheckStoredAsync(context.Client, topic, records);
        context.Add($"produce Confluent.Kafka idempotent, {Sizes.Label(Sizes.Small)}, {Sizes.Partitions} partitions", idempotent.RecordsPerSecond, "records/s",
            "no transactions, acks=all; " + idempotent.CostSummary());
        await context.Client.Admin.DeleteTopicAsync(topic);

        foreach (var perTransaction in new[] { 100, 10_000 })
        {
            var count = perTransaction == 100 ? Math.Min(records, (long)MaxSmallTransactions * perTransaction) : records;
            topic = $"txn-{perTransaction}";
            await context.Client.Admin.CreateTopicAsync(topic, Sizes.Partitions);
            var transactional = await KafkaLoad.ProduceTransactionalAsync(bootstrap, topic, count, Sizes.Small, perTransaction, pids);
            var transactions = (count + perTransaction - 1) / perTransaction;
            context.Add($"produce Confluent.Kafka transactions of {perTransaction:N0}, {Sizes.Label(Sizes.Small)}, {Sizes.Partitions} partitions",
                transactional.RecordsPerSecond, "records/s",
                $"{transactions:N0} transactions, {transactions / transactional.Seconds:N0} commits/s, {transactional.RecordsPerSecond / idempotent.RecordsPerSecond:P0} of idempotent; " + transactional.CostSummary());
            await context.Client.Admin.DeleteTopicAsync(topic);
        }
    }
}
