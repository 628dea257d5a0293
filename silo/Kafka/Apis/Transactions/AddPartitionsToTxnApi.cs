using Hub.Grains;
using Hub.Errors;
using Hub.Groups;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Transactions;

/// <summary>
/// AddPartitionsToTxn (key 24) v0-v3, a producer's: the partitions go into its transaction at the coordinator, all or
/// none. A partition of an unknown topic or one the principal may not WRITE fails the request; the others are then
/// OPERATION_NOT_ATTEMPTED, as in Kafka. (v4+, the brokers' batched form of KIP-890, is not offered.)
/// </summary>
internal sealed class AddPartitionsToTxnApi(IGrainFactory grains, KafkaTopics topics, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.AddPartitionsToTxn, minVersion: 0, maxVersion: 3, firstFlexibleVersion: 3)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var transactionalId = reader.ReadString();
        var producerId = reader.ReadInt64();
        var epoch = reader.ReadInt16();
        var named = new List<(string Topic, List<int> Partitions)>();
        var topicCount = reader.ReadNonNullArrayLength();
        for (var t = 0; t < topicCount; t++)
        {
            var name = reader.ReadString();
            var partitionCount = reader.ReadNonNullArrayLength();
            var partitions = new List<int>(Math.Min(partitionCount, 1024));
            for (var p = 0; p < partitionCount; p++) partitions.Add(reader.ReadInt32());
            reader.SkipTaggedFields();
            named.Add((name, partitions));
        }
        reader.SkipTaggedFields();

        var errors = new Dictionary<(string, int), ErrorCode>();
        try
        {
            await TransactionErrors.RequireWriteAsync(authorizer, request.Session, transactionalId);
            var known = await topics.GetManyAsync(named.Select(t => (t.Topic, t.Partitions.AsEnumerable())));
            foreach (var (topic, partitions) in named)
            {
                var allowed = await authorizer.AllowsTopicAsync(request.Session, AclOperation.Write, topic);
                foreach (var partition in partitions)
                {
                    if (!allowed) errors[(topic, partition)] = ErrorCode.TopicAuthorizationFailed;
                    else if (known.GetValueOrDefault(topic) is not { } metadata || (uint)partition >= (uint)metadata.PartitionCount)
                        errors[(topic, partition)] = ErrorCode.UnknownTopicOrPartition;
                }
            }
            if (errors.Count == 0)
            {
                await grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId).AddPartitions(producerId, epoch,
                    named.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p))).Distinct().ToArray());
            }
        }
        catch (Exception e)
        {
            var error = TransactionErrors.For(e, producerFencedKnown: request.Version >= 2);
            foreach (var (topic, partitions) in named)
                foreach (var partition in partitions) errors[(topic, partition)] = error;
        }

        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(named.Count);
        foreach (var (topic, partitions) in named)
        {
            response.WriteString(topic);
            response.WriteArrayLength(partitions.Count);
            foreach (var partition in partitions)
            {
                response.WriteInt32(partition);
                response.WriteInt16((short)(errors.Count == 0 ? ErrorCode.None : errors.GetValueOrDefault((topic, partition), ErrorCode.OperationNotAttempted)));
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }
}
