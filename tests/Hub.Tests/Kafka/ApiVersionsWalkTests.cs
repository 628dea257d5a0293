using Hub.Batches;
using Hub.Silo.Kafka.Protocol;
using Xunit.Abstractions;

namespace Hub.Tests.Kafka;

/// <summary>
/// ApiVersions advertises exactly what is implemented: every version of every advertised API is sent a request
/// written from Kafka's own message definition (Schemas/), and its answer must decode by the definition to the last
/// byte. An advertised key without a handler closes the connection, which fails the walk like any other mismatch.
/// Each request has a connection of its own, so SaslHandshake and SaslAuthenticate are walked like the rest: on this
/// listener without SASL they answer ILLEGAL_SASL_STATE, and whatever state they leave goes with their connection.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class ApiVersionsWalkTests(KafkaCluster kafka, ITestOutputHelper output)
{
    private const int CorrelationId = 7;

    /// <summary>ApiVersions v0 is the version every broker answers, so the walk learns the list with it first.</summary>
    private const short DiscoveryVersion = 0;

    /// <summary>Room for the one small record the Produces carry.</summary>
    private const int BatchCapacity = 1 << 10;

    /// <summary>A transaction timeout InitProducerId accepts (Kafka's default, one minute).</summary>
    private const int TransactionTimeoutMs = 60_000;

    /// <summary>The first Metadata version with topic ids.</summary>
    private const short MetadataWithTopicIds = 10;

    /// <summary>Room for what the Produces append, which the Fetches return (a fetch of 0 bytes is refused).</summary>
    private const int FetchPartitionMaxBytes = 1 << 20;

    /// <summary>A rebalance timeout ConsumerGroupHeartbeat accepts for a joining member (Kafka's default max.poll.interval.ms).</summary>
    private const int RebalanceTimeoutMs = 300_000;

    [Fact]
    public async Task Every_advertised_version_of_every_API_answers_by_Kafkas_definition()
    {
        var topic = KafkaCluster.NewTopic("walk");
        // The topic the requests name, so they answer about a partition that exists rather than with an error.
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, 1, null);
        var values = RequestValues(topic, KafkaCluster.NewTopic("walk-group"), KafkaCluster.NewTopic("walk-consumers"));
        values["TopicId"] = await TopicIdAsync(topic, values);

        var apiVersions = await ExchangeAsync((short)ApiKey.ApiVersions, DiscoveryVersion, values);
        var advertised = ((List<object?>)apiVersions["ApiKeys"]!).Cast<Dictionary<string, object?>>()
            .Select(a => (Key: (short)a["ApiKey"]!, Min: (short)a["MinVersion"]!, Max: (short)a["MaxVersion"]!))
            .ToArray();
        Assert.Contains(advertised, a => a.Key == (short)ApiKey.ApiVersions);

        var failures = new List<string>();
        var walked = new List<string>();
        foreach (var (key, min, max) in advertised)
        {
            var request = MessageSchemas.Request(key);
            var response = MessageSchemas.Response(key);
            if (request is null || response is null)
            {
                failures.Add($"API key {key} (v{min}-v{max}) is advertised but Schemas/ has no definition of it");
                continue;
            }
            for (var version = min; version <= max; version++)
            {
                var name = $"{request.Name} v{version}";
                if (!request.ValidVersions.Contains(version) || !response.ValidVersions.Contains(version))
                {
                    failures.Add($"{name}: advertised, but the definition has only v{request.ValidVersions} (requests) and v{response.ValidVersions} (responses)");
                    continue;
                }
                try
                {
                    await ExchangeAsync(key, version, values);
                    walked.Add($"{request.Name[..^"Request".Length]} v{version}");
                }
                catch (Exception e) when (e is InvalidDataException or IOException or OperationCanceledException)
                {
                    failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
                }
            }
        }

        output.WriteLine($"Walked {walked.Count}: {string.Join(", ", walked)}");
        Assert.True(failures.Count == 0, $"{failures.Count} of the advertised versions don't answer by the definition:\n{string.Join("\n", failures)}");
    }

    /// <summary>
    /// The values the requests carry where a default would not do, so that answers have entries and not only errors:
    /// acks=-1, as a Produce with acks=0 gets no answer, and a record batch, which the Fetches then return; the
    /// client software fields, which ApiVersions v3 expects to be names; the topic, so topic requests answer about
    /// a partition that exists; a group, whose offsets the OffsetCommits commit and the OffsetFetches return; a
    /// transactional id with a timeout InitProducerId accepts, so DescribeTransactions and ListTransactions find it;
    /// and a consumer-protocol member.
    /// </summary>
    private static Dictionary<string, object> RequestValues(string topic, string group, string consumerGroup)
    {
        using var batch = new RecordBatchBuilder(BatchCapacity);
        batch.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "key"u8.ToArray(), "value"u8.ToArray());
        return new()
        {
            ["Acks"] = -1,
            ["Records"] = batch.Build().ToArray(),
            ["PartitionMaxBytes"] = FetchPartitionMaxBytes,
            ["ClientSoftwareName"] = "hub-walk",
            ["ClientSoftwareVersion"] = "1.0",
            ["Name"] = topic,
            ["Topic"] = topic,
            ["TopicName"] = topic,
            // DeleteTopics would delete it from under the APIs walked after it.
            ["DeleteTopicsRequest.Name"] = group,
            ["DeleteTopicsRequest.TopicId"] = Guid.Empty,
            ["GroupId"] = group,
            ["Groups"] = group,
            ["GroupIds"] = group,
            ["Key"] = group,
            ["TransactionalId"] = group,
            ["TransactionalIds"] = group,
            ["TransactionTimeoutMs"] = TransactionTimeoutMs,
            // A member joining a consumer-protocol group of its own (the classic one has offsets), subscribed to the
            // topic, so ConsumerGroupHeartbeat answers with an assignment and ConsumerGroupDescribe with the member.
            ["ConsumerGroupHeartbeatRequest.GroupId"] = consumerGroup,
            ["ConsumerGroupHeartbeatRequest.MemberId"] = Guid.NewGuid().ToString(),
            ["ConsumerGroupHeartbeatRequest.RebalanceTimeoutMs"] = RebalanceTimeoutMs,
            ["SubscribedTopicNames"] = topic,
            ["ConsumerGroupHeartbeatRequest.TopicPartitions"] = Array.Empty<object>(), // as a joining member owns none
            ["ConsumerGroupDescribeRequest.GroupIds"] = consumerGroup,
        };
    }

    /// <summary>The topic's id, which the Fetches from v13 on name it by.</summary>
    private async Task<Guid> TopicIdAsync(string topic, IReadOnlyDictionary<string, object> values)
    {
        var metadata = await ExchangeAsync((short)ApiKey.Metadata, MetadataWithTopicIds, values);
        return ((List<object?>)metadata["Topics"]!).Cast<Dictionary<string, object?>>()
            .Where(t => (string?)t["Name"] == topic).Select(t => (Guid)t["TopicId"]!).Single();
    }

    /// <summary>
    /// Sends one request on a connection of its own, so what one request does to its connection (a SASL handshake's
    /// state, a close) leaves the next untouched; the response body, decoded by the definition. The request header is
    /// <see cref="RawKafkaConnection.Frame"/>'s: v2 (with tagged fields) for a flexible version, else v1, the client id
    /// an int16-length string in both, as RequestHeader.json has it.
    /// </summary>
    private async Task<Dictionary<string, object?>> ExchangeAsync(short key, short version, IReadOnlyDictionary<string, object> values)
    {
        var request = MessageSchemas.Request(key)!;
        var flexible = request.FlexibleVersions.Contains(version);
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        await connection.SendAsync((ApiKey)key, version, CorrelationId, SchemaRequestWriter.Write(request, version, values), flexibleHeader: flexible);
        var frame = await connection.ReceiveAsync() ?? throw new InvalidDataException("the connection closed without an answer");

        // Response header v1 (with tagged fields) in flexible versions, except ApiVersions': its header stays v0 so a
        // client that doesn't yet know the broker's versions can read it.
        var headerVersion = (short)(flexible && key != (short)ApiKey.ApiVersions ? 1 : 0);
        var (header, body) = SchemaResponseDecoder.DecodePrefix(MessageSchemas.ResponseHeader, headerVersion, frame);
        if (header["CorrelationId"] is not CorrelationId)
            throw new InvalidDataException($"response header v{headerVersion} has correlation id {header["CorrelationId"]}, not {CorrelationId}");
        return SchemaResponseDecoder.Decode(MessageSchemas.Response(key)!, version, body);
    }
}
