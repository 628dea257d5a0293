using Confluent.Kafka;
using Hub.Faults.History;

namespace Hub.Faults.Workloads;

/// <summary>
/// A transactional producer (Confluent.Kafka, idempotent, acks=all) with one transactional id, writing one transaction
/// after another: <see cref="RecordsPerTransaction"/> records across the partitions, committed, or aborted on purpose
/// every <see cref="AbortEvery"/>th once its records are stored. Each transaction's records go into the history before it ends
/// (<see cref="TransactionWritten"/>), then its outcome as the client saw it (<see cref="TransactionEnded"/>). After a
/// fatal error or an unknown outcome the producer is replaced by a new one with the same id, as an application would
/// (its InitTransactions fences the old one and has the coordinator finish or abort what it left open).
/// </summary>
public sealed class TransactionalWorkload(string transactionalId) : IWorkload
{
    /// <summary>One more than the default three partitions: every partition gets a record and one gets two, whose contiguity is checked.</summary>
    public const int RecordsPerTransaction = 4;

    /// <summary>Every fifth transaction is aborted on purpose: enough aborted ones to check, most committed.</summary>
    private const int AbortEvery = 5;

    /// <summary>Between transactions: ~5 transactions/s keep the workload light beside the producer workloads.</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// transaction.timeout.ms, and the records' delivery timeout within it (librdkafka requires that): longer than a
    /// fault and an election, short enough that a transaction its producer left open is aborted within the run.
    /// </summary>
    private const int TransactionTimeoutMs = 30_000;

    /// <summary>One InitTransactions, CommitTransaction or AbortTransaction call; a call that timed out is made again.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a commit or abort is retried before its outcome counts as unknown: within the run's stop bound (60 s).</summary>
    private static readonly TimeSpan EndBound = TimeSpan.FromSeconds(40);

    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    private long _transactions;

    public string Name => transactionalId;

    public Task RunAsync(ClusterEndpoints cluster, RunHistory history, CancellationToken stop) =>
        Task.Factory.StartNew(() => Run(cluster, history, stop), TaskCreationOptions.LongRunning);

    private void Run(ClusterEndpoints cluster, RunHistory history, CancellationToken stop)
    {
        var log = cluster.ClientLogDirectory is { } directory
            ? new StreamWriter(Path.Combine(directory, $"{transactionalId}.log"), append: true) { AutoFlush = true }
            : null;
        IProducer<Null, string>? producer = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                producer ??= Start(cluster, log, stop);
                if (producer is null) break;
                if (!RunTransaction(producer, cluster, history))
                {
                    producer.Dispose();
                    producer = null;
                }
                stop.WaitHandle.WaitOne(Pace);
            }
        }
        finally
        {
            producer?.Dispose();
            log?.Dispose();
        }
    }

    /// <summary>A producer with the transactional id, initialized; null when stopped first.</summary>
    private IProducer<Null, string>? Start(ClusterEndpoints cluster, StreamWriter? log, CancellationToken stop)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = string.Join(',', cluster.KafkaBootstrap),
            ClientId = $"hub-faults-{transactionalId}",
            TransactionalId = transactionalId,
            EnableIdempotence = true,
            Acks = Acks.All,
            TransactionTimeoutMs = TransactionTimeoutMs,
            MessageTimeoutMs = TransactionTimeoutMs,
            LingerMs = 5,
            // librdkafka's transaction and idempotence log: producer ids, epochs, coordinator changes and why.
            Debug = log is null ? null : "eos",
        };
        while (!stop.IsCancellationRequested)
        {
            var producer = new ProducerBuilder<Null, string>(config)
                .SetErrorHandler((_, _) => { })
                .SetLogHandler((_, message) =>
                {
                    if (log is null) return;
                    // Producers are disposed before the log, so no callback comes after it closed.
                    lock (log) log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {message.Level} {message.Facility} {message.Message}");
                })
                .Build();
            try
            {
                producer.InitTransactions(CallTimeout);
                return producer;
            }
            catch (KafkaException)
            {
                // The coordinator may be down or still finishing the last producer's transaction: a new producer tries again.
                producer.Dispose();
                stop.WaitHandle.WaitOne(RestartDelay);
            }
        }
        return null;
    }

    /// <returns>Whether the producer can go on (false: replace it).</returns>
    private bool RunTransaction(IProducer<Null, string> producer, ClusterEndpoints cluster, RunHistory history)
    {
        var number = _transactions++;
        var name = $"{transactionalId}/{number}";
        var records = new List<TransactionRecord>(RecordsPerTransaction);
        (TransactionOutcome Outcome, string? Error, bool Usable) end;
        try
        {
            producer.BeginTransaction();
        }
        catch (KafkaException)
        {
            return false;
        }
        try
        {
            for (var i = 0; i < RecordsPerTransaction; i++)
            {
                var record = new TransactionRecord((int)((number + i) % cluster.Partitions), $"{name}/{i}");
                producer.Produce(new TopicPartition(cluster.Topic, record.Partition), new Message<Null, string> { Value = record.Value });
                records.Add(record);
            }
            history.Add(new TransactionWritten(history.Now, transactionalId, name, records));
            end = number % AbortEvery == AbortEvery - 1 ? AbortWritten(producer) : Commit(producer);
        }
        catch (KafkaException e)
        {
            // Produce refused a record (the producer failed): what it took is in the transaction, which must not commit.
            history.Add(new TransactionWritten(history.Now, transactionalId, name, records));
            end = Abort(producer, e);
        }
        history.Add(new TransactionEnded(history.Now, name, end.Outcome, end.Error));
        return end.Usable;
    }

    private static (TransactionOutcome, string?, bool) Commit(IProducer<Null, string> producer)
    {
        var deadline = DateTime.UtcNow + EndBound;
        while (true)
        {
            try
            {
                producer.CommitTransaction(CallTimeout);
                return (TransactionOutcome.Committed, null, true);
            }
            catch (KafkaTxnRequiresAbortException e)
            {
                return Abort(producer, e);
            }
            catch (KafkaRetriableException) when (DateTime.UtcNow < deadline)
            {
                // A commit that timed out or met a coordinator change is made again, as librdkafka allows.
            }
            catch (KafkaException e)
            {
                return (TransactionOutcome.Unknown, Describe(e), false);
            }
        }
    }

    /// <summary>
    /// An abort on purpose once the records are stored: librdkafka drops records still queued when the abort comes,
    /// and an abort that left nothing in the log would check nothing.
    /// </summary>
    private static (TransactionOutcome, string?, bool) AbortWritten(IProducer<Null, string> producer)
    {
        producer.Flush(CallTimeout);
        return Abort(producer, null);
    }

    /// <param name="cause">Why the client had to abort, or null for an abort on purpose.</param>
    private static (TransactionOutcome, string?, bool) Abort(IProducer<Null, string> producer, KafkaException? cause)
    {
        var deadline = DateTime.UtcNow + EndBound;
        while (true)
        {
            try
            {
                producer.AbortTransaction(CallTimeout);
                return (TransactionOutcome.Aborted, cause is null ? null : Describe(cause), true);
            }
            catch (KafkaRetriableException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (KafkaException e)
            {
                var error = cause is null ? Describe(e) : $"{Describe(cause)}; then the abort: {Describe(e)}";
                return (TransactionOutcome.Unknown, error, false);
            }
        }
    }

    private static string Describe(KafkaException e) => $"{e.GetType().Name}: {e.Error.Code}{(e.Error.IsFatal ? " (fatal)" : "")} {e.Message}";
}
