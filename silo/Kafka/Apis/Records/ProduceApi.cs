using Hub.Silo.Transactions;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Batches;
using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Quotas;
using Hub.Quotas;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Kafka.Apis.Records;

/// <summary>
/// Produce (key 0) v3-v11, the versions that carry v2 record batches. Each partition's batches go to its
/// partition grain as they came, in one Append call (the grain validates sizes, CRC-32C and records, and
/// assigns offsets); the partitions of one request are appended in parallel. acks=0 gets no response, acks=1
/// is answered once the leader wrote the batches, acks=-1 once every in-sync replica has them.
/// </summary>
internal sealed partial class ProduceApi(KafkaTopics topics, KafkaAuthorizer authorizer, ClientQuotas quotas, ILogger<ProduceApi> logger) : KafkaApi(ApiKey.Produce, minVersion: 3, maxVersion: 11, firstFlexibleVersion: 9)
{
    private readonly ILogger _logger = logger;

    private sealed record PartitionData(int Partition, ReadOnlyMemory<byte>? Records)
    {
        public ErrorCode Error { get; set; }
        public string? Message { get; set; }
        /// <summary>The records at fault when only some were (<see cref="HubException.RecordIndexes"/>).</summary>
        public int[]? RecordErrors { get; set; }
        public AppendResult Result { get; set; }
    }

    private sealed record TopicData(string Name, PartitionData[] Partitions);

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var (transactionalId, acks, data) = Parse(request);
        var appends = new List<Task>();
        // Kafka's rule: a transactional producer needs WRITE on its transactional id for any of its partitions, and
        // transactional batches without a transactional id are refused, authorization or not.
        var transactionDenied = transactionalId is null
            ? data.Any(t => t.Partitions.Any(p => p.Records is { } records && TransactionalBatches.AnyIn(records.Span)))
            : !await authorizer.AllowsTransactionalIdAsync(request.Session, AclOperation.Write, transactionalId);
        var known = acks is not (0 or 1 or -1) ? [] : await topics.GetManyAsync(data.Select(t => (t.Name, t.Partitions.Select(p => p.Partition))));
        foreach (var topic in data)
        {
            if (acks is not (0 or 1 or -1))
            {
                Fail(topic.Partitions, ErrorCode.InvalidRequiredAcks, $"acks must be 0, 1 or -1, got {acks}");
                continue;
            }
            if (transactionDenied)
            {
                Fail(topic.Partitions, ErrorCode.TransactionalIdAuthorizationFailed, transactionalId is null
                    ? "transactional record batches need the request's transactional_id"
                    : $"{request.Session.Principal} may not WRITE transactional id '{transactionalId}'");
                continue;
            }
            if (!await authorizer.AllowsTopicAsync(request.Session, AclOperation.Write, topic.Name))
            {
                Fail(topic.Partitions, ErrorCode.TopicAuthorizationFailed, $"{request.Session.Principal} may not WRITE to topic '{topic.Name}'");
                continue;
            }
            var metadata = known.GetValueOrDefault(topic.Name);
            foreach (var partition in topic.Partitions)
            {
                if (metadata is null || (uint)partition.Partition >= (uint)metadata.PartitionCount)
                {
                    Fail([partition], ErrorCode.UnknownTopicOrPartition, $"no partition {partition.Partition} of topic '{topic.Name}'");
                    continue;
                }
                if (partition.Records is not { IsEmpty: false } records)
                {
                    Fail([partition], ErrorCode.InvalidRecord, "no record batches");
                    continue;
                }
                appends.Add(AppendAsync(request, acks, metadata, topic.Name, partition, records));
            }
        }
        await Task.WhenAll(appends);
        // Kafka's producer quota counts the request's bytes, whatever became of them.
        request.Throttle = await quotas.RecordAsync(ClientQuotaKeys.ProducerByteRate, request.Session.UserName, request.Header.ClientId, request.Body.Length);
        if (acks == 0) return false;
        Write(response, request.Version, data, request.Throttle);
        return true;
    }

    private async Task AppendAsync(KafkaRequest request, short acks, Hub.Topics.TopicMetadata metadata, string topic, PartitionData partition, ReadOnlyMemory<byte> records)
    {
        // The grain reads the batches in place: the frame stays out of the pool until the call has answered.
        var loan = request.LendBody();
        try
        {
            // acks=0 still appends as the leader alone would: nobody waits for an answer.
            partition.Result = await topics.Partition(metadata, partition.Partition).Append(PooledBatches.Borrow(records), acks == -1 ? RequiredAcks.All : RequiredAcks.Leader);
            loan.Dispose();
        }
        catch (Exception e)
        {
            // A call that gave up without an answer keeps its loan: the grain may still read the bytes.
            if (GrainCalls.Finished(e)) loan.Dispose();
            partition.Error = topics.Failed(topic, e);
            partition.Message = e.Message;
            partition.RecordErrors = (e as HubException)?.RecordIndexes;
            LogRefusal(request, topic, partition, records);
        }
    }

    private static void Fail(IEnumerable<PartitionData> partitions, ErrorCode error, string message)
    {
        foreach (var partition in partitions)
        {
            partition.Error = error;
            partition.Message = message;
        }
    }

    private static (string? TransactionalId, short Acks, TopicData[] Topics) Parse(KafkaRequest request)
    {
        var reader = request.Reader();
        var transactionalId = reader.ReadNullableString();
        var acks = reader.ReadInt16();
        reader.ReadInt32(); // timeout: an append waits for no replica, so it never needs one
        var topicCount = reader.ReadNonNullArrayLength();
        var topics = new List<(string Name, List<PartitionData> Partitions)>(topicCount);
        // As in Kafka, whose request is a map of partitions, a partition named twice is appended (and answered) once,
        // with its last entry: a request can't make one partition take its batches in a million calls.
        var named = new Dictionary<(string Topic, int Partition), (List<PartitionData> In, int At)>();
        for (var t = 0; t < topicCount; t++)
        {
            var name = reader.ReadString();
            var partitionCount = reader.ReadNonNullArrayLength();
            var partitions = new List<PartitionData>(Math.Min(partitionCount, 1024));
            for (var p = 0; p < partitionCount; p++)
            {
                var entry = new PartitionData(reader.ReadInt32(), reader.ReadNullableBytes());
                reader.SkipTaggedFields();
                if (named.TryGetValue((name, entry.Partition), out var earlier)) earlier.In[earlier.At] = entry;
                else
                {
                    named.Add((name, entry.Partition), (partitions, partitions.Count));
                    partitions.Add(entry);
                }
            }
            reader.SkipTaggedFields();
            topics.Add((name, partitions));
        }
        reader.SkipTaggedFields();
        return (transactionalId, acks, topics.Where(t => t.Partitions.Count > 0).Select(t => new TopicData(t.Name, [.. t.Partitions])).ToArray());
    }

    private static void Write(ProtocolWriter response, short version, TopicData[] topics, TimeSpan throttle)
    {
        response.WriteArrayLength(topics.Length);
        foreach (var topic in topics)
        {
            response.WriteString(topic.Name);
            response.WriteArrayLength(topic.Partitions.Length);
            foreach (var partition in topic.Partitions)
            {
                var ok = partition.Error == ErrorCode.None;
                response.WriteInt32(partition.Partition);
                response.WriteInt16((short)partition.Error);
                response.WriteInt64(ok ? partition.Result.BaseOffset : -1);
                // -1 for a CreateTime topic: a time here would tell the client to overwrite the producer's timestamps.
                response.WriteInt64(ok ? partition.Result.LogAppendTimeMs : -1);
                if (version >= 5) response.WriteInt64(ok ? partition.Result.LogStartOffset : -1);
                if (version >= 8)
                {
                    // The records at fault (batch_index), each without a message of its own: the partition's says what.
                    var recordErrors = ok ? null : partition.RecordErrors;
                    response.WriteArrayLength(recordErrors?.Length ?? 0);
                    foreach (var index in recordErrors ?? [])
                    {
                        response.WriteInt32(index);
                        response.WriteNullableString(null);
                        response.WriteEmptyTaggedFields();
                    }
                    response.WriteNullableString(ok ? null : partition.Message);
                }
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteInt32((int)throttle.TotalMilliseconds);
        response.WriteEmptyTaggedFields();
    }

    /// <summary>
    /// Refusals a client retries as they are (stale metadata, too few replicas in sync, a timeout) come by the
    /// thousand during a failover, so they stay at Debug; the others make an idempotent client fail its records or
    /// bump its producer epoch, which may later show as a re-sent record, so they are logged with the producer's
    /// stamp to tie the two together.
    /// </summary>
    private void LogRefusal(KafkaRequest request, string topic, PartitionData partition, ReadOnlyMemory<byte> records)
    {
        var error = partition.Error;
        var retriedAsIs = StaleMetadata.IsSignalledBy(error)
            || error is ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.RequestTimedOut;
        var level = retriedAsIs ? LogLevel.Debug : LogLevel.Information;
        if (!_logger.IsEnabled(level)) return;
        var stamp = RecordBatchHeader.TryRead(records.Span, out var header)
            ? $"producer {header.ProducerId} epoch {header.ProducerEpoch} sequence {header.BaseSequence}"
            : "no readable batch";
        LogRefused(level, topic, partition.Partition, error, partition.Message ?? "", request.Header.ClientId ?? "", request.Session.Remote?.ToString() ?? "", stamp);
    }

    [LoggerMessage(Message = "Produce to {Topic}-{Partition} refused with {Error}: {Message} (client {ClientId} at {Remote}, {Stamp})")]
    private partial void LogRefused(LogLevel level, string topic, int partition, ErrorCode error, string message, string clientId, string remote, string stamp);
}
