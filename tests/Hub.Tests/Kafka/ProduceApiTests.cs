using Hub.Tests.Support;
using Hub.Errors;
using Hub.Silo.Kafka.Apis.Records;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.Tests.Kafka;

/// <summary>The Produce handler over an in-memory controller and partitions: what each partition's entry in the answer carries.</summary>
public sealed class ProduceApiTests
{
    private readonly InMemoryGrainFactory _cluster = new();
    private readonly ProduceApi _api;

    public ProduceApiTests() => _api = new ProduceApi(new KafkaTopics(_cluster, new ManualTimeProvider()), Authorizers.Off(_cluster), Quotas.ClientQuotaTests.Without(_cluster), NullLogger<ProduceApi>.Instance);

    /// <summary>Kafka clients retry both; NOT_ENOUGH_REPLICAS_AFTER_APPEND (issue 14 item 1) tells them the records may be stored already.</summary>
    [Theory]
    [InlineData(ErrorCode.NotEnoughReplicas)]
    [InlineData(ErrorCode.NotEnoughReplicasAfterAppend)]
    public async Task A_refused_acks_all_append_is_answered_with_the_refusals_code_in_its_partitions_entry(ErrorCode code)
    {
        await _cluster.Controller.CreateTopic("t", 1);
        _cluster.Log("t", 0).RefuseNextAppend(new HubException(code, "1 replica(s) in sync, min.insync.replicas is 2"));

        Assert.Equal((code, -1L), await ProduceAsync());
        Assert.Equal((ErrorCode.None, 0L), await ProduceAsync());
    }

    /// <summary>Produce v8+ names the records at fault (KIP-467), so librdkafka fails only those with the partition's error.</summary>
    [Fact]
    public async Task A_refusal_of_some_records_names_them_in_the_record_errors()
    {
        await _cluster.Controller.CreateTopic("t", 1);
        _cluster.Log("t", 0).RefuseNextAppend(new HubException(ErrorCode.InvalidRecord, "2 record(s) have no key") { RecordIndexes = [0, 2] });

        var reader = new ProtocolReader(await ApiCall.HandleAsync(_api, 8, RequestBodies.Produce(8, "t", 0, Log.TestBatches.Build(1_700_000_000_000, "a", "b", "c"))));
        reader.ReadArrayLength();
        reader.ReadString();
        reader.ReadArrayLength();
        reader.ReadInt32();
        Assert.Equal(ErrorCode.InvalidRecord, (ErrorCode)reader.ReadInt16());
        reader.ReadInt64(); // base offset
        reader.ReadInt64(); // log append time
        reader.ReadInt64(); // log start offset
        Assert.Equal(2, reader.ReadArrayLength());
        Assert.Equal((0, null), (reader.ReadInt32(), reader.ReadNullableString()));
        Assert.Equal((2, null), (reader.ReadInt32(), reader.ReadNullableString()));
        Assert.Equal("2 record(s) have no key", reader.ReadNullableString());
    }

    [Fact]
    public async Task Quotas_that_cannot_be_read_leave_produce_unthrottled()
    {
        await _cluster.Controller.CreateTopic("t", 1);
        _cluster.Controller.QuotasUnreadable = true;

        Assert.Equal((ErrorCode.None, 0L), await ProduceAsync());
    }

    /// <summary>Produce v3 (acks=-1) of one batch to partition 0 of "t"; the partition's error code and base offset.</summary>
    private async Task<(ErrorCode Error, long BaseOffset)> ProduceAsync()
    {
        var reader = new ProtocolReader(await ApiCall.HandleAsync(_api, 3, RequestBodies.Produce(3, "t", 0, Log.TestBatches.Build(1_700_000_000_000, "v"))));
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal("t", reader.ReadString());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(0, reader.ReadInt32());
        return ((ErrorCode)reader.ReadInt16(), reader.ReadInt64());
    }
}
