using Hub.Groups;
using Hub.Security;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;
using Hub.Transactions;

namespace Hub.Silo.Kafka.Apis.Transactions;

/// <summary>
/// DescribeTransactions (key 65) v0: per transactional id, its coordinator's state, timeout, start time, producer id and
/// epoch, and the partitions of its current transaction (those of topics the principal may DESCRIBE, as Kafka trims
/// them). TRANSACTIONAL_ID_AUTHORIZATION_FAILED without DESCRIBE on the id; TRANSACTIONAL_ID_NOT_FOUND for an id never
/// initialized. While a transaction is being ended its partitions are all listed, markers written or not.
/// </summary>
internal sealed class DescribeTransactionsApi(IGrainFactory grains, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.DescribeTransactions, minVersion: 0, maxVersion: 0, firstFlexibleVersion: 0)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var ids = new List<string>();
        for (var count = reader.ReadNonNullArrayLength(); count > 0; count--) ids.Add(reader.ReadString());
        reader.SkipTaggedFields();

        var answers = await Task.WhenAll(ids.Select(id => DescribeAsync(request.Session, id)));

        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(answers.Length);
        for (var i = 0; i < answers.Length; i++)
        {
            var (error, transaction) = answers[i];
            response.WriteInt16((short)error);
            response.WriteString(ids[i]);
            // On an error, Kafka's defaults: an empty state and zeros.
            response.WriteString(transaction?.State.ToString() ?? "");
            response.WriteInt32(transaction?.TimeoutMs ?? 0);
            response.WriteInt64(transaction?.StartedMs ?? 0);
            response.WriteInt64(transaction?.ProducerId ?? 0);
            response.WriteInt16(transaction?.ProducerEpoch ?? 0);
            var byTopic = (transaction?.Partitions ?? []).GroupBy(p => p.Topic, StringComparer.Ordinal).ToList();
            response.WriteArrayLength(byTopic.Count);
            foreach (var topic in byTopic)
            {
                response.WriteString(topic.Key);
                response.WriteArrayLength(topic.Count());
                foreach (var partition in topic) response.WriteInt32(partition.Partition);
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<(ErrorCode, TransactionDescription?)> DescribeAsync(KafkaSession session, string transactionalId)
    {
        try
        {
            if (!await authorizer.AllowsTransactionalIdAsync(session, AclOperation.Describe, transactionalId))
                return (ErrorCode.TransactionalIdAuthorizationFailed, null);
            var transaction = await grains.GetGrain<IInterBrokerTransactionCoordinatorGrain>(transactionalId).Describe();
            var describable = new List<TopicPartition>();
            foreach (var topic in transaction.Partitions.GroupBy(p => p.Topic, StringComparer.Ordinal))
                if (await authorizer.AllowsTopicAsync(session, AclOperation.Describe, topic.Key)) describable.AddRange(topic);
            return (ErrorCode.None, transaction with { Partitions = [.. describable] });
        }
        catch (Exception e)
        {
            return (KafkaErrors.CodeOf(e), null);
        }
    }
}
