using Hub.Silo.Kafka.Apis.Records.Sessions;
using Hub.Tests.Support;
using System.Buffers;
using Hub.Batches;
using Hub.Silo.Kafka.Apis;
using Hub.Silo.Kafka.Apis.Admin;
using Hub.Silo.Kafka.Apis.Records;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;
using Hub.Tests.Client;

namespace Hub.Tests.Kafka;

/// <summary>Headers and whole messages against the layouts in Kafka's protocol guide and message schemas.</summary>
public sealed class MessageEncodingTests
{
    private sealed class FakeApi(ApiKey key, short min, short max) : IKafkaApi
    {
        public ApiKey Key => key;
        public short MinVersion => min;
        public short MaxVersion => max;
        public short FirstFlexibleVersion => 9;
        public Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken) => Task.FromResult(true);
    }

    private static KafkaApis Apis() => new([new FakeApi(ApiKey.Produce, 3, 11), new FakeApi(ApiKey.Metadata, 0, 12)]);

    [Fact]
    public void Request_header_v1_is_key_version_correlation_and_int16_client_id()
    {
        // ApiVersions v0, correlation 1, client id "abc".
        var bytes = Convert.FromHexString("0012" + "0000" + "00000001" + "0003616263");
        var reader = new ProtocolReader(bytes);
        Assert.Equal(((short)18, (short)0, 1), RequestHeader.ReadPrefix(ref reader));
        Assert.Equal("abc", RequestHeader.ReadClientId(ref reader, flexible: false));
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Request_header_v2_keeps_an_int16_client_id_then_tagged_fields()
    {
        var bytes = Convert.FromHexString("0003" + "000C" + "0000002A" + "FFFF" + "00" + "01");
        var reader = new ProtocolReader(bytes);
        Assert.Equal(((short)3, (short)12, 42), RequestHeader.ReadPrefix(ref reader));
        Assert.Null(RequestHeader.ReadClientId(ref reader, flexible: true));
        Assert.True(reader.Flexible);
        Assert.Equal(0, reader.ReadArrayLength()); // body: compact array, empty
    }

    [Fact]
    public void Response_header_v1_adds_an_empty_tagged_field_section()
    {
        using var writer = new ProtocolWriter();
        ResponseHeader.Write(writer, 7, flexible: false);
        ResponseHeader.Write(writer, 7, flexible: true);
        Assert.Equal(Convert.FromHexString("00000007" + "0000000700"), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task ApiVersions_v0_lists_each_api_as_key_min_max()
    {
        var apis = Apis();
        using var writer = new ProtocolWriter();
        using var frame = RequestLease.CopyOf(ReadOnlySequence<byte>.Empty);
        var request = new KafkaRequest(new RequestHeader(ApiKey.ApiVersions, 0, 1, null), frame, frame.Memory, false, KafkaSession.Anonymous());
        await apis.Find((short)ApiKey.ApiVersions)!.HandleAsync(request, writer, default);
        Assert.Equal(Convert.FromHexString(
            "0000" + "00000003" + "0000" + "0003" + "000B" + "0003" + "0000" + "000C" + "0012" + "0000" + "0003"),
            writer.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task ApiVersions_v3_is_flexible_with_throttle_time_and_tags()
    {
        var apis = Apis();
        using var writer = new ProtocolWriter { Flexible = true };
        // Body: compact strings "x" and "1", then no tagged fields.
        using var frame = RequestLease.CopyOf(new ReadOnlySequence<byte>(Convert.FromHexString("0278" + "0231" + "00")));
        var request = new KafkaRequest(new RequestHeader(ApiKey.ApiVersions, 3, 1, null), frame, frame.Memory, true, KafkaSession.Anonymous());
        await apis.Find((short)ApiKey.ApiVersions)!.HandleAsync(request, writer, default);
        Assert.Equal(Convert.FromHexString(
            "0000" + "04" + "0000" + "0003" + "000B" + "00" + "0003" + "0000" + "000C" + "00" + "0012" + "0000" + "0003" + "00"
            + "00000000" + "00"),
            writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void An_unsupported_ApiVersions_version_gets_the_v0_layout_with_UNSUPPORTED_VERSION()
    {
        var apis = Apis();
        using var writer = new ProtocolWriter { Flexible = true };
        ((ApiVersionsApi)apis.Find((short)ApiKey.ApiVersions)!).WriteUnsupportedVersion(writer);
        var reader = new ProtocolReader(writer.WrittenMemory);
        Assert.Equal(35, reader.ReadInt16());
        Assert.Equal(3, reader.ReadArrayLength());
        Assert.Equal(3 * 6, reader.Remaining);
    }

    [Fact]
    public void Fetch_trims_to_whole_batches_within_the_budget()
    {
        var one = Batch(1);
        var two = Batch(2);
        var both = one.Concat(two).ToArray();
        Assert.Equal(both.Length, FetchApi.WholeBatchesWithin(both, both.Length).Length);
        Assert.Equal(one.Length, FetchApi.WholeBatchesWithin(both, both.Length - 1).Length);
        Assert.Equal(0, FetchApi.WholeBatchesWithin(both, one.Length - 1).Length);
    }

    /// <summary>
    /// LogStartOffset is in a Fetch partition from v5 on (Kafka's FetchResponse.json); v4 answers carried it too,
    /// so a v4 client read it as the aborted transactions and everything after it shifted by eight bytes.
    /// </summary>
    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Fetch_answers_a_partitions_log_start_offset_from_v5_on(short version)
    {
        var cluster = new InMemoryGrainFactory();
        await cluster.Controller.CreateTopic("t", 1);
        var batch = Batch(2);
        cluster.Log("t", 0).Append(batch);

        var reader = new ProtocolReader(await ApiCall.HandleAsync(new FetchApi(new KafkaTopics(cluster, new ManualTimeProvider()), Authorizers.Off(cluster), Quotas.ClientQuotaTests.Without(cluster), new FetchSessionCache(1, TimeProvider.System)), version, RequestBodies.Fetch(version, "t", 0, 0)));
        reader.ReadInt32(); // throttle time
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal("t", reader.ReadString());
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(0, reader.ReadInt32());
        Assert.Equal(0, reader.ReadInt16());
        Assert.Equal(2, reader.ReadInt64()); // high watermark
        Assert.Equal(2, reader.ReadInt64()); // last stable offset
        if (version >= 5) Assert.Equal(0, reader.ReadInt64());
        Assert.Equal(-1, reader.ReadArrayLength()); // aborted transactions: none
        Assert.Equal(batch.Length, reader.ReadNullableBytes()!.Value.Length);
        Assert.Equal(0, reader.Remaining);
    }

    private static byte[] Batch(int records)
    {
        using var builder = new RecordBatchBuilder(1 << 20);
        for (var i = 0; i < records; i++) builder.Append(1000 + i, [1], [2, 3]);
        return builder.Build().ToArray();
    }
}
